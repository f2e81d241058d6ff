// Stand-ins for the registry tests: a compiled model and infer requests that record what ran.
import fs from 'node:fs';
import path from 'node:path';
import type { CompileOptions } from '../../lib/cache/options';
import type { RuntimeCompiledModel } from '../../lib/index';
import type { LoadedModel } from '../../lib/registry/index';

/** Infer requests of one FakeCompiled: how many ran at once, in what order. */
export interface FakeRuns {
  running: number;
  maxRunning: number;
  order: number[];
}

export class FakeRequest {
  disposed = false;
  constructor(private readonly owner: FakeCompiled) {}
  async infer(
    inputs: { input: Float32Array } | Float32Array,
  ): Promise<Record<string, { data: Float32Array; shape: number[]; elementType: 'f32' }>> {
    const data = ArrayBuffer.isView(inputs) ? inputs : inputs.input;
    const runs = this.owner.runs;
    runs.running++;
    runs.maxRunning = Math.max(runs.maxRunning, runs.running);
    await new Promise((r) => setTimeout(r, this.owner.inferMs));
    runs.running--;
    runs.order.push(data[0] ?? NaN);
    return { output: { data: data.map((v) => v * 2), shape: [1, data.length], elementType: 'f32' } };
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** A stand-in for RuntimeCompiledModel: only what the registry touches. */
export class FakeCompiled {
  disposed = false;
  readonly requests: FakeRequest[] = [];
  readonly runs: FakeRuns = { running: 0, maxRunning: 0, order: [] };
  inferMs = 20;
  optimalRequests = '2';
  readonly inputs = [{ name: 'input' }];
  constructor(readonly model: string) {}
  getProperty(key: string): string {
    if (key === 'OPTIMAL_NUMBER_OF_INFER_REQUESTS') return this.optimalRequests;
    throw new Error(`no property ${key}`);
  }
  createInferRequest(): FakeRequest {
    if (this.disposed) throw new Error('disposed');
    const request = new FakeRequest(this);
    this.requests.push(request);
    return request;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export function fakeLoader(delayMs = 10) {
  const calls: Array<{ model: string; options: CompileOptions }> = [];
  const loader = async (model: string, options: CompileOptions): Promise<LoadedModel> => {
    calls.push({ model, options });
    await new Promise((r) => setTimeout(r, delayMs));
    return {
      compiled: new FakeCompiled(model) as unknown as RuntimeCompiledModel,
      hit: calls.length % 2 === 0,
      cached: true,
      key: 'k'.repeat(64),
    };
  };
  return { loader, calls };
}

/** Model files a.xml/.bin, b.xml/.bin... in `dir`. */
export function writeModelFiles(dir: string, names = ['a', 'b', 'c', 'd']): string[] {
  return names.map((n) => {
    const file = path.join(dir, `${n}.xml`);
    fs.writeFileSync(file, `<net name="${n}"/>`);
    fs.writeFileSync(file.replace(/\.xml$/, '.bin'), Buffer.alloc(100));
    return file;
  });
}

export const fake = (compiled: RuntimeCompiledModel): FakeCompiled => compiled as unknown as FakeCompiled;

export const input = (value: number): { input: Float32Array } => ({ input: new Float32Array(4).fill(value) });

/** Resolves with the first `event` the emitter sends that passes `test`. */
export function nextEvent<T>(
  emitter: {
    once(e: string, f: (v: T) => void): unknown;
    off(e: string, f: (v: T) => void): unknown;
    on(e: string, f: (v: T) => void): unknown;
  },
  event: string,
  test: (v: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (v: T) => {
      if (!test(v)) return;
      emitter.off(event, listener);
      resolve(v);
    };
    emitter.on(event, listener);
  });
}
