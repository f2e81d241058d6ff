// A separate process that uses a ResultCache and prints its stats() after close(), for the
// lifetime-counter tests. Job (argv[2], JSON):
//   { role: 'flow', dir, file }   the docs/results.md flow: a miss, a hit, two bypasses, the
//                                 output file deleted (a miss that removes the entry), and an
//                                 entry read past its TTL on an injected clock
//   { role: 'share', dir, keys }  getOrCompute each key twice, and one bypass per key
// Prints one RESULT:<json> line: the ResultCacheStats after close().
import fs from 'node:fs';
import { ResultCache, type ResultCacheStats } from '../../lib/index';

export type CountersJob = { role: 'flow'; dir: string; file: string } | { role: 'share'; dir: string; keys: number[] };

async function flow(dir: string, file: string): Promise<ResultCacheStats> {
  let clock = Date.now();
  const cache = new ResultCache({ dir, ttl: '1h' }, { now: () => clock });
  const generate = (seed: number) =>
    cache.getOrCompute({ model: 'flow', params: { seed } }, async () => {
      await fs.promises.writeFile(file, `image ${seed}`);
      return { files: [file], meta: { seed } };
    });
  const outcomes = [(await generate(1234)).outcome, (await generate(1234)).outcome];
  for (let i = 0; i < 2; i++)
    outcomes.push((await cache.getOrCompute({ model: 'flow' }, () => Promise.resolve({ meta: i }), { cacheable: false })).outcome);
  fs.rmSync(file);
  outcomes.push((await generate(1234)).outcome);
  const short = cache.keyFor({ model: 'flow', params: { short: true } });
  await cache.set(short, { meta: 'short' }, { ttl: '1s' });
  clock += 2000;
  outcomes.push((await cache.get(short)) === undefined ? 'miss' : 'hit');
  if (outcomes.join(' ') !== 'miss hit bypass bypass miss miss') throw new Error(`unexpected outcomes: ${outcomes.join(' ')}`);
  await cache.close();
  return cache.stats();
}

async function share(dir: string, keys: number[]): Promise<ResultCacheStats> {
  const cache = new ResultCache({ dir });
  for (let round = 0; round < 2; round++) {
    for (const i of keys) {
      await cache.getOrCompute({ model: 'share', params: { i } }, () => Promise.resolve({ meta: i }));
      await cache.getOrCompute({ model: 'share', params: { i } }, () => Promise.resolve({ meta: i }), { cacheable: false });
    }
  }
  await cache.close();
  return cache.stats();
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as CountersJob;
  (job.role === 'flow' ? flow(job.dir, job.file) : share(job.dir, job.keys))
    .then((stats) => process.stdout.write(`RESULT:${JSON.stringify(stats)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    });
}
