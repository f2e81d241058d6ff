// The warm path for reshaped models. Compiling a model object with CACHE_DIR makes OpenVINO hash
// its topology and every weight byte on every call, hit or miss (compilation_context.cpp); the
// path form hashes only the path and options and, on a hit, never reads the model. So a compile
// with `shapes` goes through an IR of its own: the user's .xml with the new input shapes
// (reshaped-ir.ts) beside a symlink to the user's .bin, compiled in the path form.
// - Where: <tmpdir>/ovcache-<uid>/reshaped/<sha256(model path, key)>.xml, owner-only. The path
//   form's blob id and header hold the .xml's path, mtime and size; this path depends only on the
//   model's path and the key, and the mtime is fixed, so an entry copied from another machine
//   (tier, bundle) with the model at the same path loads there as it does for the path form of
//   the model itself. The file follows from the key (which holds the .xml's digest), so any
//   process may (re)write it, atomically; a cleaned-up tmp folder costs one rewrite, no compile.
// - The key holds the .bin's digest too: a changed .bin is another key, another entry, another
//   file; weightless blobs map their weights through the link.
// - A fill reads the file back and requires exactly the inputs the key was built from.
// Anything unusual (sub-graphs, unmatched names, no symlinks, an unsafe folder, a rewrite that
// reads back differently, a Model passed in) leaves the compile on OpenVINO's path.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isIrXml, weightsFileOf } from '../../fs/model-files';
import { logger } from '../../log';
import type { RuntimeCore } from '../../runtime/runtime-port';
import { formatPartialShape } from '../../openvino/shapes';
import type { PreparedCompile } from '../key-builder';
import type { ResolvedCompileOptions } from '../options';
import { rewriteIrShapes, type IrSource } from './reshaped-ir';

export type { IrSource };
import { sweepReshapedIrs } from './reshaped-ir-sweep';

const log = logger('cache');

/** The mtime every reshaped .xml gets: same content, path and mtime is the same blob header. */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/** The per-user folder of reshaped IRs. */
export function reshapedIrFolder(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `ovcache-${user}`, 'reshaped');
}

/** Whether a manifest's path source is a reshaped IR (of any user), not a model file of the user's. */
export function isReshapedIr(file: string): boolean {
  const folder = path.dirname(file);
  return path.basename(folder) === 'reshaped' && path.basename(path.dirname(folder)).startsWith('ovcache-');
}

export class ReshapedWarmPath {
  private swept = false;

  constructor(
    private readonly core: () => RuntimeCore,
    private readonly folder = reshapedIrFolder(),
  ) {}

  /** A model path (an IR) compiled with shapes; not a Model object the caller passed. */
  eligible(prep: PreparedCompile, opts: ResolvedCompileOptions): boolean {
    return opts.shapes !== undefined && isIrXml(prep.xml) && !(prep.modelObject && !prep.ownsModel);
  }

  /** The compile's reshaped IR, written when missing or stale; undefined: OpenVINO's path. */
  async ensure(prep: PreparedCompile, opts: ResolvedCompileOptions): Promise<IrSource | undefined> {
    const source = await this.ensureFile(prep, opts);
    // Once per instance, after its first IR is marked used: stale IRs of this user go.
    if (!this.swept && source) {
      this.swept = true;
      void sweepReshapedIrs(this.folder).catch(() => undefined);
    }
    return source;
  }

  private async ensureFile(prep: PreparedCompile, opts: ResolvedCompileOptions): Promise<IrSource | undefined> {
    try {
      if (!this.safeFolder()) return undefined;
      const stem = crypto.createHash('sha256').update(`${prep.xml}\0${prep.key}`).digest('hex').slice(0, 32);
      const xml = path.join(this.folder, `${stem}.xml`);
      const weights = weightsOf(prep);
      const found = await present(xml, weights);
      if (found) return found;
      const text = await fs.promises.readFile(prep.xml, 'utf8');
      // The .xml changed since its fingerprint: this compile's key is not that file's.
      if (sha256(text) !== prep.parts.model.files.find((f) => f.role === 'xml')?.sha256) return undefined;
      const reshaped = rewriteIrShapes(text, prep.compiledShapes ?? opts.shapes ?? {});
      if (reshaped === undefined) return undefined;
      const temp = `${xml}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
      if (weights !== undefined) {
        await fs.promises.symlink(path.resolve(weights), `${temp}.bin`);
        await fs.promises.rename(`${temp}.bin`, xml.replace(/\.xml$/, '.bin'));
      }
      await fs.promises.writeFile(temp, reshaped, { mode: 0o600 });
      await fs.promises.utimes(temp, FIXED_MTIME, FIXED_MTIME);
      await fs.promises.rename(temp, xml);
      return await present(xml, weights);
    } catch (error) {
      log('cannot write the reshaped IR of %s (%s); reshaping the model instead', prep.xml, (error as Error).message);
      return undefined;
    }
  }

  /** Under the entry's lock, before a fill: the reshaped IR reads with exactly the inputs of the key. */
  async verify(prep: PreparedCompile, source: IrSource): Promise<boolean> {
    try {
      const model = await this.core().readModel(source.xml);
      try {
        const read = model.inputs.map((p) => ({ name: p.name, shape: formatPartialShape(p.shape), elementType: p.elementType }));
        if (JSON.stringify(read) === JSON.stringify(prep.parts.inputs)) return true;
        log('%s reads with the inputs %j, not %j; reshaping the model instead', source.xml, read, prep.parts.inputs);
      } finally {
        model.dispose();
      }
    } catch (error) {
      log('cannot read %s (%s); reshaping the model instead', source.xml, (error as Error).message);
    }
    await fs.promises.rm(source.xml, { force: true }).catch(() => undefined);
    return false;
  }

  /** The folder exists, is a real folder of this user and nobody else can write into it. */
  private safeFolder(): boolean {
    fs.mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(path.dirname(this.folder));
    const own = fs.lstatSync(this.folder);
    const mine = (s: fs.Stats) =>
      s.isDirectory() && (typeof process.getuid !== 'function' || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
    if (mine(stat) && mine(own)) return true;
    log('%s is not a folder of this user only; reshaped models keep OpenVINO path', this.folder);
    return false;
  }
}

/** The IR with its fixed mtime, and the weights link when the model has a .bin. */
async function present(xml: string, weights: string | undefined): Promise<IrSource | undefined> {
  try {
    const stat = await fs.promises.lstat(xml, { bigint: true });
    if (!stat.isFile() || stat.mtimeMs !== BigInt(FIXED_MTIME.getTime())) return undefined;
    if (weights !== undefined && (await fs.promises.readlink(xml.replace(/\.xml$/, '.bin'))) !== path.resolve(weights)) return undefined;
    // Marks the use for the sweep: ctime becomes now, the mtime OpenVINO's blob header holds stays.
    await fs.promises.utimes(xml, FIXED_MTIME, FIXED_MTIME);
    return { xml, mtimeNs: stat.mtimeNs.toString(), size: Number(stat.size) };
  } catch {
    return undefined;
  }
}

/** The user's .bin beside the IR, when the key holds one. */
function weightsOf(prep: PreparedCompile): string | undefined {
  return prep.parts.model.files.some((f) => f.role === 'bin') ? weightsFileOf(prep.xml) : undefined;
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
