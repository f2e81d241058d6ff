// The runtime's own memory figure for a loaded model, where OpenVINO has one. No property
// gives a compiled model's memory; two devices report what they have allocated in all:
//   GPU  GPU_MEMORY_STATISTICS (ov::intel_gpu::memory_statistics, a map of bytes by
//        allocation type, printed {usm_device:N,...}), openvino/runtime/intel_gpu/properties.hpp
//   NPU  NPU_DEVICE_ALLOC_MEM_SIZE (ov::intel_npu::device_alloc_mem_size), intel_npu/properties.hpp
// A model's figure is the growth of that counter across its load, taken only when no other
// load or unload on the same device overlapped it; CPU (and AUTO/MULTI/HETERO) have none.
import { logger } from '../log';
import type { RuntimeCore } from '../runtime/runtime-port';

const log = logger('registry');

const COUNTERS: Array<{ device: RegExp; key: string }> = [
  { device: /^GPU(\.\d+)?$/, key: 'GPU_MEMORY_STATISTICS' },
  { device: /^NPU(\.\d+)?$/, key: 'NPU_DEVICE_ALLOC_MEM_SIZE' },
];

/** Bytes in a counter's text: a number, or the sum of a map's values ("{cl_mem:1,usm_host:2}"). */
export function parseMemoryFigure(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const map = /^\{(.*)\}$/.exec(t);
  if (!map) return t === '' ? 0 : undefined; // ov::Any prints an empty map as ""
  let sum = 0;
  for (const pair of (map[1] as string).split(',')) {
    const value = /:\s*(\d+)\s*$/.exec(pair);
    if (!value) return undefined;
    sum += Number(value[1]);
  }
  return sum;
}

export interface MemoryMeasure {
  /** The counter's growth since begin(), or undefined when there is no trustworthy figure. */
  end(): number | undefined;
}

const NONE: MemoryMeasure = { end: () => undefined };

export class DeviceMemory {
  /** Per device: bumped by every load start, load end and unload, to spot overlaps. */
  private readonly epochs = new Map<string, number>();

  constructor(private readonly core: () => RuntimeCore | undefined) {}

  /** Something else changed the device's memory (an unload). */
  touch(device: string): void {
    this.epochs.set(device, (this.epochs.get(device) ?? 0) + 1);
  }

  begin(device: string): MemoryMeasure {
    const counter = COUNTERS.find((c) => c.device.test(device));
    if (!counter) return NONE;
    this.touch(device);
    const before = this.read(device, counter.key);
    const epoch = this.epochs.get(device);
    if (before === undefined) return NONE;
    return {
      end: () => {
        const clean = this.epochs.get(device) === epoch;
        this.touch(device);
        const after = this.read(device, counter.key);
        if (!clean || after === undefined || after <= before) return undefined;
        return after - before;
      },
    };
  }

  private read(device: string, key: string): number | undefined {
    try {
      const core = this.core();
      return core ? parseMemoryFigure(core.getProperty(device, key)) : undefined;
    } catch (error) {
      log('%s of %s unavailable: %s', key, device, (error as Error).message);
      return undefined;
    }
  }
}
