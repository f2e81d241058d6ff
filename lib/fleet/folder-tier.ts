// A shared folder as a tier: an NFS/EFS/SMB volume, or a folder baked into an image. Files are
// copied to a temp name and renamed, the manifest is replaced atomically and written last.
// A read-only tier is never written to and never locked: every write refuses before touching it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkRootSymlink, checkFolderSecurity, insecure, type FolderRole, type SharedMode } from '../cache/cache-dir';
import { writeFileAtomic } from '../fs/atomic-write';
import { copyRegularFile, readRegularFile } from '../fs/open-regular';
import { isKey } from '../cache/key';
import { OvcacheError } from '../errors';
import { FolderLeases } from './folder-lease';
import { isPlainFileName, MAX_REMOTE_MANIFEST_BYTES } from './remote-manifest';
import { REMOTE_MANIFEST, UploadGoneError, type LeaseProvider, type Tier, type TierObject } from './tier';

export interface FolderTierOptions {
  /** The shared folder. */
  path: string;
  readOnly?: boolean;
  /**
   * Who may write the folder, as ModelCache's shared option. false (default): it must be owned by
   * this user (or root) and writable by nobody else; 'group': group-writable is accepted when this
   * process is in the folder's group. World-writable is refused either way.
   */
  shared?: 'group' | false;
}

const ROLE: FolderRole = { folder: 'Shared tier folder', holds: 'an entry', trustRoot: true };

export class FolderTier implements Tier {
  readonly name: string;
  readonly readOnly: boolean;
  private readonly root: string;
  private leaseProvider: FolderLeases | undefined;

  private readonly shared: SharedMode;

  constructor(options: FolderTierOptions) {
    this.root = path.resolve(options.path);
    this.readOnly = options.readOnly === true;
    this.shared = options.shared === 'group' ? 'group' : 'owner';
    this.name = `folder:${this.root}`;
  }

  /**
   * The cache folder's rule for the tier (cache-dir.ts checkFolderSecurity): a folder another
   * user could write into is refused with OVCACHE_CACHE_DIR_INSECURE, as are entries/ and a
   * key's folder (where its manifest lives) when they are symlinks or writable by others. Checked on every call (a few stats): a tier
   * whose mode changes is refused from then on. A tier not made yet holds nothing to trust.
   */
  private checkSecurity(): void {
    checkRootSymlink(this.root, ROLE);
    const stat = fs.statSync(this.root, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) return;
    checkFolderSecurity(this.root, stat, this.shared, ROLE);
    this.checkSubfolder(path.join(this.root, 'entries'));
  }

  /** mkdir -p with modes that pass checkSecurity whatever the umask: 0755, or 2775 for a group-shared tier. */
  private async makeDir(dir: string): Promise<void> {
    const mode = this.shared === 'group' ? 0o2775 : 0o755;
    const first = await fs.promises.mkdir(dir, { recursive: true, mode });
    if (first === undefined || this.shared !== 'group') return; // a umask can only clear bits of 0755
    for (let d = dir; d.length >= first.length; d = path.dirname(d)) await fs.promises.chmod(d, mode);
  }

  private checkSubfolder(dir: string): void {
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isSymbolicLink()) throw insecure(dir, 'is a symlink', 'Remove it; ovcache creates it itself.', ROLE);
    if (stat.isDirectory()) checkFolderSecurity(dir, stat, this.shared, ROLE);
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
    this.checkSecurity();
    // The key's folder holds the manifest, the only file a reader trusts without a digest.
    this.checkSubfolder(this.entryDir(key));
    try {
      // A FIFO never blocks and a manifest over the cap is never read: both refused.
      return await readRegularFile(path.join(this.entryDir(key), REMOTE_MANIFEST), MAX_REMOTE_MANIFEST_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  async download(key: string, uploadId: string, file: string, to: string, signal?: AbortSignal, bytes?: number): Promise<void> {
    this.checkSecurity();
    // O_NOFOLLOW covers the blob itself; the key's folder and the upload folder must be no symlink either.
    if (!isPlainFileName(uploadId)) throw new OvcacheError('OVCACHE_UNSAFE_PATH', `Not an upload id: ${JSON.stringify(uploadId)}: refused`);
    this.checkSubfolder(this.entryDir(key));
    const upload = path.join(this.entryDir(key), uploadId);
    if (fs.lstatSync(upload, { throwIfNoEntry: false })?.isSymbolicLink())
      throw new OvcacheError(
        'OVCACHE_UNSAFE_PATH',
        `${upload} is a symlink: refused, never read (a tier's upload folder must be a folder inside the tier)`,
      );
    this.checkSubfolder(upload);
    // A FIFO never blocks and a file of another size is never copied: both refused.
    const from = path.join(upload, file);
    try {
      await copyRegularFile(from, to, { ...(bytes !== undefined ? { bytes } : {}), ...(signal ? { signal } : {}) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Gone while the key's manifest is still there (tier-gc never removes a manifest): an
      // upload removed after it was read. No manifest either: the tier itself went (an unmount).
      const manifestStays = fs.existsSync(path.join(this.entryDir(key), REMOTE_MANIFEST));
      if ((code === 'ENOENT' || code === 'ENOTDIR') && manifestStays) throw new UploadGoneError(from);
      throw error;
    }
  }

  async upload(key: string, uploadId: string, file: string, from: string): Promise<void> {
    this.checkSecurity();
    this.refuseWrite(file);
    const dir = path.join(this.entryDir(key), uploadId);
    await this.makeDir(dir);
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
    this.checkSecurity();
    this.refuseWrite(REMOTE_MANIFEST);
    await writeFileAtomic(path.join(this.entryDir(key), REMOTE_MANIFEST), text, { fsync: true, mode: 0o644 });
  }

  async list(): Promise<string[]> {
    this.checkSecurity();
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
    this.checkSecurity();
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
    this.checkSecurity();
    this.refuseWrite(`${key}/${uploadId}`);
    if (!isPlainFileName(uploadId)) throw new OvcacheError('OVCACHE_INVALID_ARGUMENT', `Not an upload id: ${JSON.stringify(uploadId)}`);
    await fs.promises.rm(path.join(this.entryDir(key), uploadId), { recursive: true, force: true });
  }

  async health(): Promise<void> {
    const stat = await fs.promises.stat(this.root);
    if (!stat.isDirectory()) throw new OvcacheError('OVCACHE_TIER_UNAVAILABLE', `${this.name} is not a folder`);
    this.checkSecurity();
    await fs.promises.access(this.root, this.readOnly ? fs.constants.R_OK : fs.constants.R_OK | fs.constants.W_OK);
  }

  /** Leases in <tier>/leases/, taken only while the tier passes checkSecurity and leases/ is no symlink. */
  leases(): LeaseProvider | undefined {
    if (this.readOnly) return undefined;
    const provider = (this.leaseProvider ??= new FolderLeases(path.join(this.root, 'leases')));
    return {
      name: provider.name,
      tryAcquire: async (key, ttlMs) => {
        this.checkSecurity();
        this.checkSubfolder(path.join(this.root, 'leases')); // a symlink would put lease files outside the tier
        return provider.tryAcquire(key, ttlMs);
      },
      close: () => provider.close(),
    };
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
