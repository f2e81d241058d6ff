// What a tier below the local cache is: a store of published entries, addressed by key.
// Layout on every tier (a shared folder or an object store):
//   entries/<key>/<uploadId>/<file>    the files of one publish (blobs, kernel caches)
//   entries/<key>/fleet-entry.json     the remote manifest, written LAST: it names the
//                                      uploadId and the digest of every file
//   leases/<key>                       who compiles <key> now (folder locks, S3 leases)
// A reader starts from the remote manifest, so it never sees a partial entry: files without
// a manifest are not an entry, and each publish writes files under its own uploadId, so two
// publishers never overwrite each other's files.

export const REMOTE_MANIFEST = 'fleet-entry.json';

/**
 * Thrown by download(): the file a remote manifest names is no longer in the tier (tier-gc
 * removed a superseded upload after the reader read the manifest). The reader's pull is a miss,
 * and the tier is not down.
 */
export class UploadGoneError extends Error {
  constructor(where: string) {
    super(`${where} is gone (tier-gc removed the upload after its manifest was read)`);
    this.name = 'UploadGoneError';
  }
}

/** One stored object under entries/: a remote manifest (uploadId null) or a file of a publish. */
export interface TierObject {
  key: string;
  uploadId: string | null;
  file: string;
  bytes: number;
  /** When the tier last wrote it (ms since the epoch). */
  modifiedMs: number;
}

/** One operation on a tier; every call gets a signal that fires at its deadline. */
export interface Tier {
  /** "folder:/mnt/models-cache", "s3://bucket/prefix/". */
  readonly name: string;
  /** Never written and never locked. */
  readonly readOnly: boolean;
  /** The remote manifest's text, or undefined when the tier has no entry for the key. */
  getManifest(key: string, signal: AbortSignal): Promise<string | undefined>;
  /** Copies one file of a publish to a local path (the caller verifies its digest). */
  /** `bytes`: the size the manifest gives; a tier may refuse a file of another size before copying it. */
  download(key: string, uploadId: string, file: string, to: string, signal: AbortSignal, bytes?: number): Promise<void>;
  upload(key: string, uploadId: string, file: string, from: string, signal: AbortSignal): Promise<void>;
  /** Replaces the remote manifest atomically: readers see the old one or the new one. */
  putManifest(key: string, text: string, signal: AbortSignal): Promise<void>;
  /** Keys that have a remote manifest. */
  list(signal: AbortSignal): Promise<string[]>;
  /** Every object under entries/, for cleaning the tier (tier-gc.ts). */
  inventory(signal: AbortSignal): Promise<TierObject[]>;
  /** Removes every file of one publish (never a manifest). */
  removeUpload(key: string, uploadId: string, signal: AbortSignal): Promise<void>;
  /** Resolves when the tier answers; rejects with the reason otherwise. */
  health(signal: AbortSignal): Promise<void>;
  /** The tier's own lease (a folder lock, an S3 conditional write); none for read-only tiers. */
  leases(): LeaseProvider | undefined;
  close(): Promise<void>;
}

/** "Who compiles this key": held by one process in the fleet at a time, renewed while held. */
export interface Lease {
  readonly key: string;
  /** True when the lease was lost (not renewed in time, taken over). */
  readonly lost: boolean;
  release(): Promise<void>;
}

export interface LeaseProvider {
  readonly name: string;
  /** One attempt: the lease, or null when a live holder has it. A dead holder's lease is taken over. */
  tryAcquire(key: string, ttlMs: number): Promise<Lease | null>;
  close(): Promise<void>;
}
