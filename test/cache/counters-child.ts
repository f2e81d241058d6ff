// A separate process that compiles one model `times` times through a ModelCache (each a hit
// once the entry is filled), disposes the cache, and prints its stats(). Job (argv[2], JSON):
//   { libraryPath, dir, model, times, startAt }
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { testRuntime } from '../helpers/runtimes';

interface Job {
  libraryPath: string;
  dir: string;
  model: string;
  times: number;
  startAt: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  const ov = await loadOpenVINO({ libraryPath: job.libraryPath });
  const runtime = testRuntime();
  // policy 'always': under load the 'auto' policy may judge a hit not worth it (load time near
  // compile time) and compile plain; the counters, not that judgement, are under test here.
  const cache = new ModelCache({
    ...(runtime.id === 'ovcache' ? { runtime: ov } : { core: runtime.createCore(ov) }),
    dir: job.dir,
    policy: 'always',
  });
  await new Promise((r) => setTimeout(r, Math.max(0, job.startAt - Date.now())));
  for (let i = 0; i < job.times; i++) {
    const { compiled } = await cache.compile(job.model, { device: 'CPU' });
    compiled.dispose();
  }
  await cache.dispose();
  process.stdout.write(`RESULT:${JSON.stringify(cache.stats())}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
