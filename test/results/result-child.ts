// A separate process that uses a ResultCache, for the multi-process tests. Job (argv[2], JSON):
//   { mode: 'share', dir, redis?, local?, keys: number[], computeMs? }  getOrCompute each key once
//   { mode: 'writer', dir, size }                                       sets values until killed
// Values are a function of their key (valueFor), so any reader can tell a right value from a
// torn or mixed-up one. Prints one RESULT:<json> line (share) or READY then counts (writer).
import { ResultCache, type ResultValue } from '../../lib/index';

export interface ShareJob {
  mode: 'share';
  dir: string | false;
  redis?: string;
  keys: number[];
  computeMs?: number;
}

export interface WriterJob {
  mode: 'writer';
  dir: string;
  size: number;
}

export interface ShareResult {
  pid: number;
  computed: number[];
  hits: number[];
  wrong: number[];
}

/** The value every process stores for request i: bytes that encode i and the size. */
export function valueFor(i: number, size = 16): ResultValue {
  const data = new Uint8Array(size);
  for (let j = 0; j < size; j++) data[j] = (i * 31 + j) & 0xff;
  return { tensors: { out: { data, shape: [size], elementType: 'u8' } }, meta: { i, size } };
}

export function isValueFor(value: ResultValue | undefined, i: number): boolean {
  const meta = value?.meta as { i?: number; size?: number } | undefined;
  const out = value?.tensors?.out;
  if (!meta || meta.i !== i || !out || out.data.length !== meta.size) return false;
  const expected = valueFor(i, meta.size).tensors?.out?.data as Uint8Array;
  return Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength).equals(Buffer.from(expected));
}

export const partsFor = (i: number): { model: string; params: { i: number } } => ({ model: 'shared-model', params: { i } });

async function share(job: ShareJob): Promise<void> {
  // A generous Redis timeout: on a loaded machine a slow answer must not turn into a miss here.
  const cache = new ResultCache({ dir: job.dir, ...(job.redis ? { redis: job.redis, redisTimeout: '5s' } : {}) });
  const result: ShareResult = { pid: process.pid, computed: [], hits: [], wrong: [] };
  for (const i of job.keys) {
    const r = await cache.getOrCompute(partsFor(i), async () => {
      result.computed.push(i);
      if (job.computeMs) await new Promise((resolve) => setTimeout(resolve, job.computeMs));
      return valueFor(i);
    });
    if (r.outcome === 'hit') result.hits.push(i);
    if (!isValueFor(r.value, i)) result.wrong.push(i);
  }
  await cache.close();
  process.stdout.write(`RESULT:${JSON.stringify(result)}\n`);
}

async function writer(job: WriterJob): Promise<void> {
  const cache = new ResultCache({ dir: job.dir, maxEntries: 200 });
  process.stdout.write('READY\n');
  for (let n = 0; ; n++) {
    const i = n % 500;
    await cache.set(cache.keyFor(partsFor(i)), valueFor(i, job.size));
    if (n % 3 === 0) await cache.delete(cache.keyFor(partsFor((i * 7) % 500)));
  }
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as ShareJob | WriterJob;
  (job.mode === 'share' ? share(job) : writer(job)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
