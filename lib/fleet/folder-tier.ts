// A shared folder as a tier: an NFS/EFS/SMB volume, or a folder baked into an image. Files are
// copied to a temp name and renamed, the manifest is replaced atomically and written last.
// A read-only tier is never written to and never locked: every write refuses before touching it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';
import { isKey } from '../cache/key';
import { OvcacheError } from '../errors';
import { FolderLeases } from './folder-lease';
import { REMOTE_MANIFEST, type LeaseProvider, type Tier } from './tier';

export interface FolderTierOptions {
  /** The shared folder. */
  path: string;
  readOnly?: boolean;
}

export class FolderTier implements Tier {
  readonly name: string;
  readonly readOnly: boolean;
  private readonly root: string;
  private leaseProvider: FolderLeases | undefined;

  constructor(options: FolderTierOptions) {
    this.root = path.resolve(options.path);
    this.readOnly = options.readOnly === true;
    this.name = `folder:${this.root}`;
  }

  private entryDir(key: string): string {
    if (!isKey(key))
      throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Expected a cache key (64 hex digits) but received ${JSON.stringify(key)}`);
    return path.join(this.root, 'entries', key);
  }

  private refuseWrite(what: string): void {
    if (this.readOnly) throw new OvcacheError('OVCACHE_CACHE_READ_ONLY', `${this.name} is read-only: not writing ${what}`);
  }

  async getManifest(key: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(path.join(this.entryDir(key), REMOTE_MANIFEST), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  async download(key: string, uploadId: string, file: string, to: string): Promise<void> {
    await fs.promises.copyFile(path.join(this.entryDir(key), uploadId, file), to);
  }

  async upload(key: string, uploadId: string, file: string, from: string): Promise<void> {
    this.refuseWrite(file);
    const dir = path.join(this.entryDir(key), uploadId);
    await fs.promises.mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${file}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      await fs.promises.copyFile(from, temp);
      await fs.promises.rename(temp, path.join(dir, file));
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
  }

  async putManifest(key: string, text: string): Promise<void> {
    this.refuseWrite(REMOTE_MANIFEST);
    await writeFileAtomic(path.join(this.entryDir(key), REMOTE_MANIFEST), text, { fsync: true, mode: 0o644 });
  }

  async list(): Promise<string[]> {
    const names = await fs.promises.readdir(path.join(this.root, 'entries')).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const keys = names.filter(isKey).sort();
    const present = await Promise.all(
      keys.map((k) =>
        fs.promises.access(path.join(this.root, 'entries', k, REMOTE_MANIFEST)).then(
          () => true,
          () => false,
        ),
      ),
    );
    return keys.filter((_, i) => present[i]);
  }

  async health(): Promise<void> {
    const stat = await fs.promises.stat(this.root);
    if (!stat.isDirectory()) throw new OvcacheError('OVCACHE_TIER_UNAVAILABLE', `${this.name} is not a folder`);
    await fs.promises.access(this.root, this.readOnly ? fs.constants.R_OK : fs.constants.R_OK | fs.constants.W_OK);
  }

  leases(): LeaseProvider | undefined {
    if (this.readOnly) return undefined;
    this.leaseProvider ??= new FolderLeases(path.join(this.root, 'leases'));
    return this.leaseProvider;
  }

  async close(): Promise<void> {
    await this.leaseProvider?.close();
  }
}
