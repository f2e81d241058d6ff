// A process (run as another user when the tests run as root, who reads everything) that stores a
// result referring to a file, makes that file unreadable (job.what: 'file' -> chmod 000 on the
// file, 'folder' -> chmod 000 on its folder, so stat fails with EACCES), and asks twice.
// Prints one RESULT:<json> line: the outcomes, the evictions, and any error's code.
import fs from 'node:fs';
import path from 'node:path';
import { ResultCache, type ResultEvictEvent } from '../../lib/index';

export interface UnreadableJob {
  dir: string;
  what: 'file' | 'folder';
}

export interface UnreadableResult {
  outcomes: string[];
  evictions: ResultEvictEvent['reason'][];
  errors: string[];
  entriesAfter: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as UnreadableJob;
  const folder = path.join(job.dir, 'outputs');
  fs.mkdirSync(folder, { recursive: true });
  const image = path.join(folder, 'out.png');
  fs.writeFileSync(image, 'png-bytes');
  const cache = new ResultCache({ dir: path.join(job.dir, 'store') });
  const result: UnreadableResult = { outcomes: [], evictions: [], errors: [], entriesAfter: -1 };
  cache.on('evict', (e) => result.evictions.push(e.reason));
  const parts = { model: 'sd', params: { seed: 1 } };
  const compute = (): Promise<{ files: string[] }> => Promise.resolve({ files: [image] });
  const ask = async (): Promise<void> => {
    try {
      result.outcomes.push((await cache.getOrCompute(parts, compute)).outcome);
    } catch (error) {
      result.errors.push((error as Error & { code?: string }).code ?? (error as Error).message);
    }
  };
  await ask(); // miss: stored
  await ask(); // hit
  fs.chmodSync(job.what === 'file' ? image : folder, 0o000);
  // The compute's file cannot be stored again while unreadable: the second ask fails to store, not to look up.
  await cache.get(cache.keyFor(parts)).then(
    (v) => result.outcomes.push(v === undefined ? 'miss' : 'hit'),
    (error: Error & { code?: string }) => result.errors.push(error.code ?? error.message),
  );
  await cache.get(cache.keyFor(parts)).then(
    (v) => result.outcomes.push(v === undefined ? 'miss' : 'hit'),
    (error: Error & { code?: string }) => result.errors.push(error.code ?? error.message),
  );
  await cache.flush();
  result.entriesAfter = cache.stats().entries;
  fs.chmodSync(job.what === 'file' ? image : folder, 0o700);
  await cache.close();
  process.stdout.write(`RESULT:${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
