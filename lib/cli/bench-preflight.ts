// What `ovcache bench` checks before its first trial: the model file is there, the runtime
// loads and lists the device. A trial's OpenVINO error becomes a coded one with the runtime's
// own sentence, never "[OV_GENERAL_ERROR] ... core_impl.cpp".
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError, type OvcacheErrorCode } from '../errors';
import { loadOpenVINOSync } from '../openvino/openvino';

/** Devices OpenVINO registers that available_devices() never lists; they take a device list. */
const VIRTUAL_DEVICES = ['AUTO', 'HETERO', 'MULTI', 'BATCH'];

export function checkBenchModel(model: string): void {
  const file = path.resolve(model);
  if (fs.statSync(file, { throwIfNoEntry: false })?.isFile() !== true)
    throw new OvcacheError('OVCACHE_MODEL_NOT_FOUND', `Model file not found: ${file}; give the path of a model's .xml (or .onnx)`);
}

/**
 * The physical devices a device string names: "CPU", "GPU.1", "AUTO:GPU,CPU", "HETERO:GPU,CPU";
 * "AUTO" alone names none (it picks among what is there).
 */
export function devicesNamed(device: string): string[] {
  const colon = device.indexOf(':');
  const head = colon < 0 ? device : device.slice(0, colon);
  if (!VIRTUAL_DEVICES.includes(head)) return [device];
  return colon < 0
    ? []
    : device
        .slice(colon + 1)
        .split(',')
        .filter((d) => d !== '');
}

/** Throws OVCACHE_DEVICE_NOT_FOUND unless every device the string names is listed ("GPU" matches "GPU.0"). */
export function checkBenchDevice(device: string, available: string[]): void {
  const listed = (name: string): boolean => available.some((a) => a === name || a.split('.')[0] === name);
  const missing = devicesNamed(device).filter((d) => !listed(d));
  if (missing.length > 0) {
    throw new OvcacheError(
      'OVCACHE_DEVICE_NOT_FOUND',
      `Device ${missing.join(', ')} is not available in this OpenVINO runtime (it lists ${available.join(', ') || 'no devices'}); pass one of those with --device (ovcache doctor shows the devices)`,
    );
  }
}

/** Loads the runtime the trials will use and checks the model and the device; throws a coded error. */
export function preflightBench(opts: { model: string; device: string; library?: string }): void {
  checkBenchModel(opts.model);
  const ov = loadOpenVINOSync(opts.library ? { libraryPath: opts.library } : {});
  using core = ov.createCore();
  checkBenchDevice(opts.device, core.availableDevices());
}

/**
 * A failed trial as a coded error: the child's "[OV_GENERAL_ERROR] ... failed with ... Exception
 * from src/...cpp:\n<sentence>" becomes OVCACHE_BENCH_TRIAL_FAILED with the sentence; an error the
 * child already coded (OVCACHE_*) keeps its code.
 */
export function benchTrialError(error: unknown): OvcacheError {
  if (error instanceof OvcacheError) return error;
  const message = (error as Error).message ?? String(error);
  const coded = /\[(OVCACHE_[A-Z_]+)\] ([^\n]*)/.exec(message);
  if (coded?.[1] && coded[2] !== undefined) return new OvcacheError(coded[1] as OvcacheErrorCode, coded[2], { cause: error });
  const trial = /^benchmark trial \(([^)]*)\)/.exec(message)?.[1] ?? 'a trial';
  const lines = message.split('\n').map((l) => l.trim());
  const sentence = lines.filter((l) => l !== '' && !/^Exception from |\[OV_[A-Z_]+\]|^bench(mark)? trial/.test(l)).pop();
  const ovCode = /\[(OV_[A-Z_]+)\]/.exec(message)?.[1];
  return new OvcacheError(
    'OVCACHE_BENCH_TRIAL_FAILED',
    `Benchmark trial ${trial} failed: ${sentence ?? lines[0] ?? 'no result'}${ovCode ? ` (OpenVINO ${ovCode})` : ''}`,
    { cause: error },
  );
}
