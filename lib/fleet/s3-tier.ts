// An S3-compatible object store as a tier, through the official @aws-sdk/client-s3. Objects:
// <prefix>entries/<key>/<uploadId>/<file> and <prefix>entries/<key>/fleet-entry.json (the
// manifest, PUT last; a PUT is atomic, so readers see a whole manifest or none).
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type * as S3 from '@aws-sdk/client-s3';
import { isKey } from '../cache/key';
import { writeCapped } from '../fs/write-capped';
import { OvcacheError } from '../errors';
import { requireOptional } from './optional-require';
import { isPlainFileName, MAX_REMOTE_MANIFEST_BYTES } from './remote-manifest';
import { isNotFound, S3Leases } from './s3-lease';
import { REMOTE_MANIFEST, UploadGoneError, type LeaseProvider, type Tier, type TierObject } from './tier';

export interface S3Location {
  bucket: string;
  /** Folder-like prefix inside the bucket, e.g. "ovcache/prod/". */
  prefix?: string;
  /** A custom endpoint (MinIO, Ceph, R2, a test server): path-style addressing is used. */
  endpoint?: string;
  region?: string;
  /** Default: the SDK's usual chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface S3TierOptions {
  s3: S3Location;
  readOnly?: boolean;
}

type S3Module = typeof S3;

export class S3Tier implements Tier {
  readonly name: string;
  readonly readOnly: boolean;
  private readonly sdk: S3Module;
  private readonly client: S3.S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private leaseProvider: S3Leases | undefined;

  /** timeoutMs: connecting and an idle socket give up after it; lease calls are bounded by it (the fleet's timeoutMs). */
  constructor(
    options: S3TierOptions,
    private readonly timeoutMs = 5000,
  ) {
    const { bucket, prefix = '', endpoint, region, credentials } = options.s3;
    this.sdk = requireOptional<S3Module>('@aws-sdk/client-s3', 'An S3 tier');
    this.bucket = bucket;
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.readOnly = options.readOnly === true;
    this.name = `s3://${bucket}/${this.prefix}`;
    this.client = new this.sdk.S3Client({
      region: region ?? process.env.AWS_REGION ?? 'us-east-1',
      // Other stores (MinIO, Ceph, test servers) often keep the SDK's default aws-chunked
      // checksum framing as object bytes: send plain bodies to them (the digests still check every byte).
      ...(endpoint
        ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
      ...(credentials
        ? {
            // A copy of the three fields: the SDK writes into it, and markers it wrote into the caller's are not ours.
            credentials: {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: credentials.secretAccessKey,
              ...(credentials.sessionToken !== undefined ? { sessionToken: credentials.sessionToken } : {}),
            },
          }
        : {}),
      // The tier's deadline bounds each call; retries beyond one only delay "skip this tier".
      maxAttempts: 2,
      // No socket waits longer than timeoutMs to connect or between bytes, even a call made
      // without an abort signal; a whole call is bounded by its caller's signal.
      requestHandler: { connectionTimeout: timeoutMs, socketTimeout: timeoutMs },
    });
  }

  private objectKey(key: string, ...rest: string[]): string {
    if (!isKey(key))
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Expected a cache key (64 hex digits) but received ${JSON.stringify(key)}`);
    return [`${this.prefix}entries`, key, ...rest].join('/');
  }

  private refuseWrite(what: string): void {
    if (this.readOnly) throw new OvcacheError('OVCACHE_CACHE_READ_ONLY', `${this.name} is read-only: not writing ${what}`);
  }

  async getManifest(key: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key, REMOTE_MANIFEST) }),
        {
          abortSignal: signal,
        },
      );
      if (!out.Body) return undefined;
      return await readCapped(out.Body as Readable, out.ContentLength, `s3://${this.bucket}/${this.objectKey(key, REMOTE_MANIFEST)}`);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** With `bytes`, an object of another ContentLength is refused unread, and no more than `bytes` bytes are ever written. */
  async download(key: string, uploadId: string, file: string, to: string, signal: AbortSignal, bytes?: number): Promise<void> {
    const objectKey = this.objectKey(key, uploadId, file);
    const out = await this.client
      .send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: objectKey }), { abortSignal: signal })
      .catch((error: unknown) => {
        // NoSuchKey only: a missing bucket, or a proxy's bare 404, is the tier down, not an upload gone.
        throw (error as { name?: string }).name === 'NoSuchKey' ? new UploadGoneError(`s3://${this.bucket}/${objectKey}`) : error;
      });
    if (!out.Body) throw new OvcacheError('OVCACHE_TIER_UNAVAILABLE', `${this.name}: empty answer for ${file}`);
    const body = out.Body as Readable;
    if (bytes === undefined) {
      await pipeline(body, fs.createWriteStream(to, { mode: 0o600 }), { signal });
      return;
    }
    await writeCapped(body, to, { bytes, contentLength: out.ContentLength, where: `s3://${this.bucket}/${objectKey}` }, signal);
  }

  async upload(key: string, uploadId: string, file: string, from: string, signal: AbortSignal): Promise<void> {
    this.refuseWrite(file);
    const { size } = await fs.promises.stat(from);
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key, uploadId, file),
        Body: fs.createReadStream(from),
        ContentLength: size,
      }),
      { abortSignal: signal },
    );
  }

  async putManifest(key: string, text: string, signal: AbortSignal): Promise<void> {
    this.refuseWrite(REMOTE_MANIFEST);
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key, REMOTE_MANIFEST),
        Body: text,
        ContentType: 'application/json',
      }),
      { abortSignal: signal },
    );
  }

  async list(signal: AbortSignal): Promise<string[]> {
    const objects = await this.inventory(signal);
    return objects
      .filter((o) => o.uploadId === null)
      .map((o) => o.key)
      .sort();
  }

  async inventory(signal: AbortSignal, under = ''): Promise<TierObject[]> {
    const out: TierObject[] = [];
    const root = `${this.prefix}entries/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new this.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: root + under, ContinuationToken: token }),
        { abortSignal: signal },
      );
      for (const o of page.Contents ?? []) {
        const parts = (o.Key ?? '').slice(root.length).split('/');
        const [key, second, third] = parts;
        if (key === undefined || !isKey(key)) continue;
        const object = { key, bytes: o.Size ?? 0, modifiedMs: o.LastModified?.getTime() ?? 0 };
        if (parts.length === 2 && second === REMOTE_MANIFEST) out.push({ ...object, uploadId: null, file: second });
        else if (parts.length === 3 && second && third) out.push({ ...object, uploadId: second, file: third });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async removeUpload(key: string, uploadId: string, signal: AbortSignal): Promise<void> {
    this.refuseWrite(`${key}/${uploadId}`);
    this.objectKey(key, uploadId); // checks the key
    if (!isPlainFileName(uploadId)) throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Not an upload id: ${JSON.stringify(uploadId)}`);
    const files = await this.inventory(signal, `${key}/${uploadId}/`);
    // DeleteObjects takes at most 1000 keys a request.
    for (let i = 0; i < files.length; i += 1000) {
      const batch = files.slice(i, i + 1000).map((f) => ({ Key: this.objectKey(key, uploadId, f.file) }));
      await this.client.send(new this.sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }), {
        abortSignal: signal,
      });
    }
  }

  async health(signal: AbortSignal): Promise<void> {
    await this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal });
  }

  leases(): LeaseProvider | undefined {
    if (this.readOnly) return undefined;
    this.leaseProvider ??= new S3Leases(this.sdk, this.client, this.bucket, `${this.prefix}leases/`, this.name, this.timeoutMs);
    return this.leaseProvider;
  }

  async close(): Promise<void> {
    await this.leaseProvider?.close();
    this.client.destroy();
  }
}

/**
 * The text of a manifest body, at most MAX_REMOTE_MANIFEST_BYTES: refused from its
 * ContentLength before a byte is read, and the read stops past the cap (a length not sent or
 * not kept to).
 */
async function readCapped(body: Readable, contentLength: number | undefined, where: string): Promise<string> {
  const tooBig = (size: number | string) =>
    new OvcacheError(
      'OVCACHE_UNSAFE_PATH',
      `${where} is ${size} bytes, over the ${MAX_REMOTE_MANIFEST_BYTES}-byte limit: refused, never read`,
    );
  if (contentLength !== undefined && contentLength > MAX_REMOTE_MANIFEST_BYTES) {
    body.destroy();
    throw tooBig(contentLength);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > MAX_REMOTE_MANIFEST_BYTES) {
      body.destroy();
      throw tooBig(`over ${total}`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
