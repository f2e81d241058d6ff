// Benchmark (not a timed test): `ovcache du` and `ls --json` over 10,000 synthetic entries,
// in-process and as a CLI child, and an eviction pass removing 5,000 of them.
//   node dist/bench/cli-scan.js [--entries N] [--runs N]
// Prints a table and writes bench/results/cli-scan.json. Goal: `du` under 0.5 s.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureCacheDir } from '../lib/cache/cache-dir';
import { named, runEviction } from '../lib/cache/eviction/driver';
import { planEviction } from '../lib/cache/eviction/plan';
import { MANIFEST_FILE, type EntryManifest } from '../lib/cache/entry/manifest';
import { scanCache } from '../lib/cache/scan';
import { formatTable } from '../lib/format/table';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const DEVICES = ['CPU', 'GPU', 'GPU.1', 'NPU'];

/** N entries spread over `models` model files (which exist, so model checks stat real files). */
export function buildSyntheticCache(dir: string, count: number, options: { models?: number; blobBytes?: number; now?: number } = {}): void {
  const layout = ensureCacheDir(dir);
  const modelsDir = path.join(dir, '..', `${path.basename(dir)}-models`);
  fs.mkdirSync(modelsDir, { recursive: true });
  const models = Array.from({ length: options.models ?? 100 }, (_, i) => {
    const xml = path.join(modelsDir, `model${i}.xml`);
    fs.writeFileSync(xml, `<net name="model${i}"/>`);
    fs.writeFileSync(xml.replace(/\.xml$/, '.bin'), Buffer.alloc(64));
    const stat = fs.statSync(xml, { bigint: true });
    return { name: `model${i}`, xml, size: Number(stat.size), mtimeNs: String(stat.mtimeNs) };
  });
  const blob = Buffer.alloc(options.blobBytes ?? 2048, 7);
  const now = options.now ?? Date.now();
  for (let i = 0; i < count; i++) {
    const model = models[i % models.length]!;
    const device = DEVICES[i % DEVICES.length]!;
    const key = crypto.createHash('sha256').update(`entry ${i}`).digest('hex');
    const side = 32 + (i % 97);
    const name = `${model.name}-1x3x${side}x${side}-${device}-${key.slice(0, 12)}`;
    const entryDir = path.join(layout.entries, name);
    fs.mkdirSync(entryDir);
    const blobName = `${BigInt(`0x${key.slice(0, 15)}`)}.blob`;
    fs.writeFileSync(path.join(entryDir, blobName), blob);
    const used = new Date(now - (count - i) * 60_000).toISOString();
    const manifest: EntryManifest = {
      format: 1,
      key,
      parts: {
        format: 1,
        model: {
          name: model.name,
          files: [
            { role: 'xml', sha256: '0'.repeat(64), size: model.size },
            { role: 'bin', sha256: '1'.repeat(64), size: 64 },
          ],
        },
        inputs: [{ name: 'image', shape: `[1,3,${side},${side}]`, elementType: 'f32' }],
        device: { name: device, fullName: `Synthetic ${device}` },
        config: {},
        runtime: { buildNumber: '2025.4.0-20398-stub' },
      },
      modelPaths: [model.xml],
      sources: [{ kind: 'path', xml: model.xml, mtimeNs: model.mtimeNs, size: model.size }],
      files: [{ name: blobName, bytes: blob.length }],
      bytes: blob.length,
      createdAt: used,
      lastUsedAt: used,
      hits: i % 7,
      compileMs: 1000 + (i % 500),
      importMs: 50 + (i % 20),
      complete: true,
      writer: { pid: 1, hostname: 'bench' },
    };
    fs.writeFileSync(path.join(entryDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

function timeChild(args: string[]): { ms: number; bytes: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`ovcache ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, bytes: r.stdout.length };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const count = arg('--entries', 10_000);
  const runs = arg('--runs', 5);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-bench-'));
  const dir = path.join(base, 'cache');
  try {
    let t = performance.now();
    buildSyntheticCache(dir, count);
    const buildMs = performance.now() - t;
    // The page cache stays warm: these are figures for a folder read recently (a second `du` in a row).

    const rows: Array<{ what: string; ms: number[]; note: string }> = [];
    const scanMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      const scan = await scanCache(dir);
      scanMs.push(performance.now() - t);
      if (scan.entries.length !== count) throw new Error(`scan found ${scan.entries.length} entries`);
    }
    rows.push({ what: 'scanCache (in process)', ms: scanMs, note: `${count} entries` });
    const duMs: number[] = [];
    const lsMs: number[] = [];
    let lsBytes = 0;
    for (let i = 0; i < runs; i++) {
      duMs.push(timeChild(['du', '--dir', dir]).ms);
      const ls = timeChild(['ls', '--json', '--dir', dir]);
      lsMs.push(ls.ms);
      lsBytes = ls.bytes;
    }
    const nodeMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      nodeMs.push(performance.now() - t0);
    }
    rows.push({ what: 'ovcache du (child)', ms: duMs, note: 'whole process' });
    rows.push({ what: 'ovcache ls --json (child)', ms: lsMs, note: `${(lsBytes / 1e6).toFixed(1)} MB of JSON` });
    rows.push({ what: 'node -e 0 (child)', ms: nodeMs, note: 'process start, for reference' });

    const scan = await scanCache(dir);
    t = performance.now();
    const plan = planEviction(scan.entries, { maxBytes: Math.floor(scan.totals.bytes / 2), now: Date.now() });
    const planMs = performance.now() - t;
    t = performance.now();
    const result = await runEviction({ cacheDir: dir, entries: scan.entries, select: named(plan.remove.map((r) => r.entry)) });
    const evictMs = performance.now() - t;
    rows.push({ what: 'planEviction', ms: [planMs], note: `${plan.remove.length} planned` });
    rows.push({ what: 'runEviction', ms: [evictMs], note: `${result.removed.length} removed, ${result.skipped.length} skipped` });

    const cpu = os.cpus()[0]?.model ?? 'unknown';
    process.stdout.write(
      `${formatTable(
        ['operation', 'median ms', 'min ms', 'runs', 'note'],
        rows.map((r) => [r.what, Number(median(r.ms).toFixed(1)), Number(Math.min(...r.ms).toFixed(1)), r.ms.length, r.note]),
        {
          title: `${count} entries, built in ${(buildMs / 1000).toFixed(1)} s; ${os.cpus().length} CPUs (${cpu}), Node ${process.version}`,
        },
      )}\n`,
    );
    const out = path.join(ROOT, 'bench', 'results', 'cli-scan.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `${JSON.stringify(
        {
          entries: count,
          runs,
          machine: { cpus: os.cpus().length, cpu, node: process.version, platform: `${os.platform()} ${os.release()}` },
          results: rows.map((r) => ({
            operation: r.what,
            medianMs: median(r.ms),
            minMs: Math.min(...r.ms),
            samplesMs: r.ms,
            note: r.note,
          })),
          goal: { duUnderMs: 500, met: median(duMs) < 500 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exitCode = 1;
  });
}
