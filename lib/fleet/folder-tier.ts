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
import { isPlainFileName } from './remote-manifest';
import { REMOTE_MANIFEST, type LeaseProvider, type Tier, type TierObject } from './tier';

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

  async inventory(): Promise<TierObject[]> {
    const entries = path.join(this.root, 'entries');
    const out: TierObject[] = [];
    const stat = async (key: string, uploadId: string | null, file: string, full: string) => {
      const st = await fs.promises.lstat(full).catch(() => undefined);
      if (st?.isFile()) out.push({ key, uploadId, file, bytes: st.size, modifiedMs: st.mtimeMs });
    };
    for (const key of (await readdirOrEmpty(entries)).filter(isKey)) {
      for (const item of await readdirOrEmpty(path.join(entries, key), true)) {
        const full = path.join(entries, key, item.name);
        if (item.isFile() && item.name === REMOTE_MANIFEST) await stat(key, null, item.name, full);
        else if (item.isDirectory()) for (const file of await readdirOrEmpty(full)) await stat(key, item.name, file, path.join(full, file));
      }
    }
    return out;
  }

  async removeUpload(key: string, uploadId: string): Promise<void> {
    this.refuseWrite(`${key}/${uploadId}`);
    if (!isPlainFileName(uploadId)) throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Not an upload id: ${JSON.stringify(uploadId)}`);
    await fs.promises.rm(path.join(this.entryDir(key), uploadId), { recursive: true, force: true });
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

function readdirOrEmpty(dir: string): Promise<string[]>;
function readdirOrEmpty(dir: string, withTypes: true): Promise<fs.Dirent[]>;
async function readdirOrEmpty(dir: string, withTypes?: true): Promise<string[] | fs.Dirent[]> {
  try {
    return withTypes ? await fs.promises.readdir(dir, { withFileTypes: true }) : await fs.promises.readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}
