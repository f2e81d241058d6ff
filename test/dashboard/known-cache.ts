// A cache folder with known content for the dashboard tests, made with the stand-in: an MLP
// compiled once and hit twice, an image model at four resolutions (the per-resolution growth)
// of which the least recently used is evicted by maxEntriesPerModel, one uncached compile,
// and the history that all of it leaves.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { attachHistory, ModelCache, scanCache, type Core, type HistoryRecorder } from '../../lib/index';
import { writeImageModel, writeMlp } from '../../scripts/make-fixtures';
import { ROOT } from '../helpers/paths';

export const MAX_BYTES = 200_000;

export interface KnownCache {
  dir: string;
  cache: ModelCache;
  history: HistoryRecorder;
  image: string;
  mlp: string;
  /** Name of the entry the per-model rule evicted. */
  evicted: string;
}

export async function makeKnownCache(tmp: string, core: Core): Promise<KnownCache> {
  const dir = path.join(tmp, 'cache');
  const models = path.join(tmp, 'models');
  const mlp = writeMlp(models).xml;
  const image = writeImageModel(models, 'unet').xml;
  const cache = new ModelCache({ core, dir, maxBytes: MAX_BYTES });
  const history = attachHistory(cache, { usageIntervalMs: 0 });
  const compile = async (model: string, options: Parameters<ModelCache['compile']>[1]) =>
    (await cache.compile(model, options)).compiled.dispose();
  await compile(mlp, { device: 'CPU' });
  await compile(mlp, { device: 'CPU' });
  await compile(mlp, { device: 'CPU' });
  for (const side of [16, 32, 48, 64]) await compile(image, { device: 'CPU', shapes: { image: [1, 3, side, side] } });
  await compile(mlp, { device: 'CPU', cache: false });
  await cache.flush();
  const lru = (await scanCache(dir, { checkModels: false })).entries
    .filter((e) => e.model === 'unet')
    .sort((a, b) => a.lastUsedMs - b.lastUsedMs)[0];
  const report = await cache.evict({ maxEntriesPerModel: 3 });
  if (!lru || report.removed.length !== 1 || report.removed[0]?.name !== lru.name)
    throw new Error('expected the oldest unet entry to be evicted');
  await history.flush();
  return { dir, cache, history, image, mlp, evicted: lru.name };
}

export interface CliDashboard {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `ovcache dashboard --port 0` in a child process; resolves with the URL it prints. */
export function startCliDashboard(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliDashboard> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'lib', 'cli', 'main.js'), 'dashboard', '--port', '0', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ovcache dashboard: (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1] as string, child, stop });
    });
    child.once('exit', (code) => reject(new Error(`ovcache dashboard exited with ${code}: ${err}${out}`)));
  });
}
