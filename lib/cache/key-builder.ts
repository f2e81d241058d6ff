// Building a compile's key: the model files' fingerprints, its inputs (read once per .xml
// digest), the device's identity, the canonical config and the runtime build. Every memo is
// this instance's and bounded (lru-cache); what must survive a restart is in memo files.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { OvcacheError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { errnoCode } from '../fs/errno';
import { isIrXml, modelFilesOf } from '../fs/model-files';
import { logger } from '../log';
import { isRuntimeModel, type RuntimeCore, type RuntimeInfo, type RuntimeModel } from '../runtime/runtime-port';
import { formatPartialShape, type ShapeInput } from '../openvino/shapes';
import type { CacheFolder } from './cache-dir';
import type { KeyInfo } from './compile-types';
import { canonicalConfig } from './config-canon';
import { entryName } from './entry/name';
import { Fingerprinter, type FileFingerprint } from './fingerprint';
import { deriveKey, deviceIdentityText, KEY_FORMAT, type FileIdentity, type InputIdentity, type KeyParts } from './key';
import type { ResolvedCompileOptions } from './options';
import type { ShapeRoute } from './dynamic/shape-router';
import { irInputsFromXml } from './ir-inputs';
import { fingerprintBytes } from './progress/fingerprint-bytes';
import type { ProgressReporter } from './progress/compile-progress';
import { deriveReshapedInputs, ReshapedInputs } from './warm/reshaped-inputs';
import type { IrSource } from './warm/reshaped-ir';

const log = logger('cache');

const INPUTS_MEMO_FORMAT = 1;
/** Memo bounds: models, devices and keys a long-running process sees are far fewer. */
const MAX_MODELS = 1024;
const MAX_DEVICES = 64;
const MAX_KEYS = 10_000;

/** A compile's key and what the compile paths need to go on. */
export interface PreparedCompile {
  xml: string;
  xmlMtimeNs: string;
  xmlSize: number;
  /** The model object to compile (shapes given or a Model passed); undefined on the path fast path. */
  modelObject: RuntimeModel | undefined;
  ownsModel: boolean;
  parts: KeyParts;
  key: string;
  entryDir: string;
  fingerprintMs: number;
  readMs: number;
  /** Set by dynamic/shape-router.ts for a compile with shapes. */
  route?: ShapeRoute;
  /** Shapes not applied yet: the key came from the reshaped-inputs memo; materialize() reads and reshapes. */
  deferredShapes?: ResolvedCompileOptions['shapes'];
  /** The shapes compiled when they are not the ones asked (a dynamic variant the router chose). */
  compiledShapes?: Record<string, ShapeInput>;
  /** The reshaped IR when the compile goes through it (lib/cache/warm/warm-path.ts). */
  irSource?: IrSource | undefined;
}

export interface KeyBuilderContext {
  core(): RuntimeCore;
  runtime(): RuntimeInfo;
  folder: CacheFolder;
  enabled: boolean;
  readOnly: boolean;
}

export class KeyBuilder {
  private fingerprinter: Fingerprinter | undefined;
  private fingerprinterOnDisk = false;
  /** Model inputs by .xml digest: they follow from the file's content. */
  private readonly inputs = new LRUCache<string, InputIdentity[]>({ max: MAX_MODELS });
  private readonly devices = new LRUCache<string, KeyParts['device']>({ max: MAX_DEVICES });
  /** Keys and entry folders derived, by the parts' JSON (named()). */
  private readonly derived = new LRUCache<string, { key: string; entryDir: string }>({ max: MAX_KEYS });
  /** Keys this process built, for explain() and flush(). */
  private readonly known = new LRUCache<string, KeyInfo>({ max: MAX_KEYS });
  private readonly reshaped: ReshapedInputs;

  constructor(private readonly ctx: KeyBuilderContext) {
    this.reshaped = new ReshapedInputs({
      memoDir: () => (this.memoOnDisk ? this.ctx.folder.layout.fingerprints : undefined),
      writeMemo: !ctx.readOnly,
    });
  }

  /** Reads and reshapes the model of a compile whose key came from the memo (no-op otherwise). */
  async materialize(prep: PreparedCompile): Promise<void> {
    const shapes = prep.deferredShapes;
    if (prep.modelObject || !shapes) return;
    const t = performance.now();
    const model = await this.ctx.core().readModel(prep.xml);
    try {
      model.reshape(shapes);
    } catch (error) {
      model.dispose();
      throw error;
    }
    prep.modelObject = model;
    prep.ownsModel = true;
    prep.deferredShapes = undefined;
    prep.readMs += performance.now() - t;
  }

  /**
   * The key and entry folder of these parts. Deriving them (canonical JSON, sha256, the entry's
   * name) is the largest part of a warm start's key stage, so they are kept per parts' JSON: the
   * same text is the same parts (another order of the same parts only misses the memo).
   */
  private named(parts: KeyParts): { key: string; entryDir: string } {
    const text = JSON.stringify(parts);
    const known = this.derived.get(text);
    if (known) return known;
    const key = deriveKey(parts);
    const named = { key, entryDir: path.join(this.ctx.folder.layout.entries, entryName(parts, key)) };
    this.derived.set(text, named);
    return named;
  }

  /** A key this instance built recently. */
  lookup(key: string): KeyInfo | undefined {
    return this.known.get(key);
  }

  knownKeys(): IterableIterator<KeyInfo> {
    return this.known.values();
  }

  /** The key of a compile, with the model object read and reshaped when the compile needs one. */
  async prepare(model: string | RuntimeModel, opts: ResolvedCompileOptions): Promise<PreparedCompile> {
    const xml = typeof model === 'string' ? path.resolve(model) : model.path;
    const t0 = performance.now();
    const fingerprints = await this.fingerprintModel(xml, opts.waits.progress);
    const fingerprintMs = performance.now() - t0;
    const xmlPrint = fingerprints[0] as FileFingerprint;
    const files: FileIdentity[] = fingerprints.map((f, i) => ({
      role: fingerprints.length === 1 && !isIrXml(xml) ? 'model' : i === 0 ? 'xml' : 'bin',
      sha256: f.sha256,
      size: f.size,
    }));

    const t1 = performance.now();
    let modelObject: RuntimeModel | undefined;
    let ownsModel = false;
    let inputs: InputIdentity[];
    const build = this.ctx.runtime().version.buildNumber;
    // A warm start with shapes: the reshaped inputs from the memo, the model left unread.
    const memoized =
      typeof model === 'string' && opts.shapes ? await this.reshapedInputsOf(xml, xmlPrint.sha256, opts.shapes, build) : undefined;
    if (memoized) {
      inputs = memoized;
    } else if (isRuntimeModel(model) || opts.shapes) {
      modelObject = isRuntimeModel(model) ? model : await this.ctx.core().readModel(xml);
      ownsModel = !isRuntimeModel(model);
      try {
        if (opts.shapes) modelObject.reshape(opts.shapes);
        inputs = toInputIdentities(modelObject);
      } catch (error) {
        if (ownsModel) modelObject.dispose();
        throw error;
      }
      if (ownsModel && opts.shapes) await this.reshaped.record(xmlPrint.sha256, opts.shapes, build, inputs);
    } else {
      inputs = await this.inputsOf(xml, xmlPrint.sha256);
    }
    const readMs = performance.now() - t1;

    let parts: KeyParts;
    try {
      parts = {
        format: KEY_FORMAT,
        model: { name: modelName(xml), files },
        inputs,
        device: this.deviceIdentity(opts.device),
        config: canonicalConfig(opts.config),
        runtime: { buildNumber: build },
      };
    } catch (error) {
      if (ownsModel) modelObject?.dispose();
      throw error;
    }
    const { key, entryDir } = this.named(parts);
    this.known.set(key, { key, parts, entryDir });
    return {
      xml,
      xmlMtimeNs: xmlPrint.mtimeNs,
      xmlSize: xmlPrint.size,
      modelObject,
      ownsModel,
      parts,
      key,
      entryDir,
      fingerprintMs,
      readMs,
      ...(memoized ? { deferredShapes: opts.shapes } : {}),
    };
  }

  /**
   * Reshapes the prepared compile to other shapes and derives its key again: from the
   * reshaped-inputs memo while the model is unread, else by reshaping the (owned) model object.
   */
  async reshapePrepared(prep: PreparedCompile, shapes: Record<string, ShapeInput>): Promise<void> {
    const xmlSha256 = prep.parts.model.files.find((f) => f.role === 'xml')?.sha256;
    const build = prep.parts.runtime.buildNumber;
    let inputs = !prep.modelObject && xmlSha256 ? await this.reshaped.lookup(xmlSha256, shapes, build) : undefined;
    if (inputs) {
      prep.deferredShapes = shapes;
    } else {
      await this.materialize(prep);
      const model = prep.modelObject as RuntimeModel;
      model.reshape(shapes);
      inputs = toInputIdentities(model);
      if (prep.ownsModel && xmlSha256) await this.reshaped.record(xmlSha256, shapes, build, inputs);
    }
    prep.compiledShapes = shapes;
    prep.parts = { ...prep.parts, inputs };
    prep.key = deriveKey(prep.parts);
    prep.entryDir = path.join(this.ctx.folder.layout.entries, entryName(prep.parts, prep.key));
    this.known.set(prep.key, { key: prep.key, parts: prep.parts, entryDir: prep.entryDir });
  }

  /** The inputs after a reshape without reading the model: memoized, or derived from the model's inputs (memoized too). */
  private async reshapedInputsOf(xml: string, xmlSha256: string, shapes: Record<string, ShapeInput>, build: string) {
    const known = await this.reshaped.lookup(xmlSha256, shapes, build);
    if (known) return known;
    const derived = deriveReshapedInputs(await this.inputsOf(xml, xmlSha256), shapes);
    if (derived) await this.reshaped.record(xmlSha256, shapes, build, derived);
    return derived;
  }

  /** Memo files may be read once the folder exists (or is read-only and may hold them). */
  private get memoOnDisk(): boolean {
    return this.ctx.enabled && (this.ctx.folder.ready || this.ctx.readOnly);
  }

  private async fingerprintModel(xml: string, progress: ProgressReporter): Promise<FileFingerprint[]> {
    const [model, bin] = modelFilesOf(xml);
    const files = bin !== undefined && fs.existsSync(bin) ? [model as string, bin] : [model as string];
    const printer = this.getFingerprinter();
    try {
      const bytes = progress.active ? await fingerprintBytes(files, progress) : undefined;
      const prints = await Promise.all(files.map((f, i) => printer.fingerprint(f, bytes && ((n) => bytes.hashed(i, n)))));
      bytes?.hashed(-1, 0);
      return prints;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') throw new OvcacheError('OVCACHE_MODEL_NOT_FOUND', `Model file not found: ${xml}`, { cause: error });
      if (code === 'EISDIR') throw new OvcacheError('OVCACHE_MODEL_INVALID', `Model path is not a file: ${xml}`, { cause: error });
      throw error;
    }
  }

  private getFingerprinter(): Fingerprinter {
    const onDisk = this.memoOnDisk;
    if (this.fingerprinter && this.fingerprinterOnDisk === onDisk) return this.fingerprinter;
    this.fingerprinter = new Fingerprinter({
      memoDir: onDisk ? this.ctx.folder.layout.fingerprints : undefined,
      writeMemo: !this.ctx.readOnly,
    });
    this.fingerprinterOnDisk = onDisk;
    return this.fingerprinter;
  }

  /** The model's inputs without reading it on a warm start: memoized by the .xml's digest. */
  private async inputsOf(xml: string, xmlSha256: string): Promise<InputIdentity[]> {
    const known = this.inputs.get(xmlSha256);
    if (known) return known;
    const memoFile = this.memoOnDisk ? path.join(this.ctx.folder.layout.fingerprints, `inputs-${xmlSha256}.json`) : undefined;
    if (memoFile) {
      try {
        const record = JSON.parse(await fs.promises.readFile(memoFile, 'utf8')) as {
          format?: unknown;
          xmlSha256?: unknown;
          inputs?: unknown;
        };
        if (record.format === INPUTS_MEMO_FORMAT && record.xmlSha256 === xmlSha256 && isInputList(record.inputs)) {
          this.inputs.set(xmlSha256, record.inputs);
          return record.inputs;
        }
      } catch {
        // no memo yet, or an unreadable one: read the model below
      }
    }
    const inputs = (await irInputsFromXml(xml)) ?? (await this.readInputs(xml));
    this.inputs.set(xmlSha256, inputs);
    if (memoFile && !this.ctx.readOnly) {
      await writeFileAtomic(memoFile, `${JSON.stringify({ format: INPUTS_MEMO_FORMAT, xmlSha256, inputs })}\n`).catch((error: Error) =>
        log('cannot write %s: %s', memoFile, error.message),
      );
    }
    return inputs;
  }

  private async readInputs(xml: string): Promise<InputIdentity[]> {
    const model = await this.ctx.core().readModel(xml);
    try {
      return toInputIdentities(model);
    } finally {
      model.dispose();
    }
  }

  /** The device identities this builder has read (never probes a device): device name -> deviceIdentityText. */
  knownDeviceIdentities(): Map<string, string> {
    return new Map([...this.devices.entries()].map(([name, identity]) => [name, deviceIdentityText(identity)]));
  }

  /** FULL_DEVICE_NAME (and DEVICE_ARCHITECTURE for GPUs) of the device, or of each device behind AUTO:/MULTI:/HETERO:. */
  private deviceIdentity(device: string): KeyParts['device'] {
    const known = this.devices.get(device);
    if (known) return known;
    const colon = device.indexOf(':');
    const physical =
      colon >= 0
        ? device
            .slice(colon + 1)
            .split(',')
            .filter(Boolean)
        : [device];
    const names: string[] = [];
    const archs: string[] = [];
    for (const d of physical) {
      names.push(this.propertyOr(d, 'FULL_DEVICE_NAME', d));
      if (/^GPU/.test(d)) {
        const arch = this.propertyOr(d, 'DEVICE_ARCHITECTURE', '');
        if (arch) archs.push(arch);
      }
    }
    const identity: KeyParts['device'] = { name: device, fullName: names.join(' | ') };
    if (archs.length > 0) identity.architecture = archs.join(' | ');
    this.devices.set(device, identity);
    return identity;
  }

  private propertyOr(device: string, key: string, fallback: string): string {
    try {
      return this.ctx.core().getProperty(device, key);
    } catch (error) {
      // An unknown device fails later, in compileModel, with OpenVINO's own message.
      log('%s of %s unavailable: %s', key, device, (error as Error).message);
      return fallback;
    }
  }
}

function modelName(file: string): string {
  return path.basename(file).replace(/\.[^.]*$/, '');
}

function toInputIdentities(model: RuntimeModel): InputIdentity[] {
  return model.inputs.map((p) => ({ name: p.name, shape: formatPartialShape(p.shape), elementType: p.elementType }));
}

function isInputList(value: unknown): value is InputIdentity[] {
  return (
    Array.isArray(value) &&
    value.every(
      (v: { name?: unknown; shape?: unknown; elementType?: unknown }) =>
        typeof v?.name === 'string' && typeof v.shape === 'string' && typeof v.elementType === 'string',
    )
  );
}
