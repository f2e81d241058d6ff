// The fault matrix (issue 21): for each outside part and each fault, what a caller sees and what
// is lost, measured against the stand-in runtime with real servers on loopback. Each case runs
// in its own process group (bench/fault-case.ts), killed when it overruns CASE_LIMIT_MS, so a hang
// is a row of the table, never a hung script. Not part of `npm test` nor `npm run bench` (it
// mounts tmpfs volumes: run it as root). Prints a table, writes bench/results/fault-matrix.json.
//   node dist/bench/fault-matrix.js                 run every case, print, write the JSON
//   node dist/bench/fault-matrix.js --docs          regenerate docs/reliability.md's section from the JSON
//   node dist/bench/fault-matrix.js --run --docs    both
//   --only <part>[,<part>]  --fault <fault>[,...]   a subset (merged into the JSON's other cases)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { machineInfo } from '../lib/bench/machine';
import { formatTable } from '../lib/format/table';
import { describeOps, withDocsSection, type MatrixRun } from './fault-matrix-report';
import { FAULTS, FAULT_NAMES, PARTS, PART_NAMES, type CaseResult, type Fault, type Part } from './fault-matrix-types';

const ROOT = path.resolve(__dirname, '..', '..');
const JSON_FILE = path.join(ROOT, 'bench', 'results', 'fault-matrix.json');
const DOCS_FILE = path.join(ROOT, 'docs', 'reliability.md');
const OP_LIMIT_MS = 10_000;
const CASE_LIMIT_MS = 60_000;
const NOBODY = 65534;

/** Pairs that make no sense, with why. */
const NOT_APPLICABLE: Partial<Record<`${Part}/${Fault}`, string>> = {
  'folder-tier/killed': 'a folder has no process of its own; a dead file server shows as frozen (hung I/O) or as I/O errors',
  'folder-tier/slow': 'no delaying layer for file I/O here (it needs FUSE or dm-delay); a tier call has the same deadline as on S3',
  'cache-volume/killed': 'a local volume has no process of its own',
  'cache-volume/frozen':
    'a hung local disk needs dm-delay or FUSE, not available here; reads and writes of the local cache have no deadline',
  'cache-volume/slow': 'a slow local disk needs dm-delay or FUSE, not available here',
};

/** Cases that need an unprivileged caller: root ignores permission bits. */
const RUN_AS_NOBODY = new Set<`${Part}/${Fault}`>(['folder-tier/denied', 'cache-volume/denied']);

function listArg(name: string): string[] | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? '').split(',') : undefined;
}

function lastLine(out: string, tag: string): CaseResult | undefined {
  const line = out
    .split('\n')
    .filter((l) => l.startsWith(`${tag}:`))
    .pop();
  return line === undefined ? undefined : (JSON.parse(line.slice(tag.length + 1)) as CaseResult);
}

/** Runs one case in its own process group; kills the group when it overruns. */
function runCase(part: Part, fault: Fault): Promise<CaseResult> {
  const key = `${part}/${fault}` as const;
  const reason = NOT_APPLICABLE[key];
  if (reason !== undefined) return Promise.resolve({ part, fault, status: 'n/a', reason, healthy: [], faulted: [], notes: [] });
  const nobody = RUN_AS_NOBODY.has(key) && process.getuid?.() === 0;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fault-case.js'), part, fault], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OVCACHE_FAULT_OP_LIMIT_MS: String(OP_LIMIT_MS), DEBUG: '' },
      ...(nobody ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let overran = false;
    const timer = setTimeout(() => {
      overran = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL'); // the case and the servers it started
      } catch {
        // already gone
      }
    }, CASE_LIMIT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const done = lastLine(out, 'CASE') ?? lastLine(out, 'PARTIAL');
      const base: CaseResult = done ?? { part, fault, status: 'failed', healthy: [], faulted: [], notes: [] };
      if (nobody) base.notes.push('run as uid nobody (root ignores permission bits)');
      if (overran) {
        base.status = 'hung';
        base.notes.push(`the case overran ${CASE_LIMIT_MS / 1000} s and was killed with its servers`);
      } else if (!done) {
        base.reason = `exited with ${code ?? signal}: ${err.split('\n').slice(-5).join(' | ')}`;
      }
      resolve(base);
    });
  });
}

function printTable(run: MatrixRun): void {
  const rows = run.cases.map((c) => [
    PART_NAMES[c.part],
    FAULT_NAMES[c.fault],
    c.status === 'n/a'
      ? `n/a: ${c.reason}`
      : [...describeOps(c), ...c.notes, ...(c.status === 'failed' ? [`FAILED: ${c.reason}`] : [])].join('; '),
    c.status === 'n/a' ? '' : (c.lost ?? 'not checked'),
  ]);
  console.log(
    formatTable(['part', 'fault', 'what the caller sees', 'lost'], rows, {
      title: `ovcache fault matrix - ${run.machine.cpu}, ${run.machine.cpus} CPUs, node ${run.node}; ${Math.round(run.totalMs / 1000)} s (SIMULATED compile costs)\n`,
      align: ['left', 'left', 'left', 'left'],
    }),
  );
}

async function measureAll(): Promise<MatrixRun> {
  const parts = (listArg('only') ?? [...PARTS]) as Part[];
  const faults = (listArg('fault') ?? [...FAULTS]) as Fault[];
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part "${p}": one of ${PARTS.join(', ')}`);
  for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault "${f}": one of ${FAULTS.join(', ')}`);
  if (process.getuid?.() !== 0) console.warn('not root: the "full" cases cannot mount their tmpfs and the "denied" cases run as this user');
  const previous: CaseResult[] = fs.existsSync(JSON_FILE) ? (JSON.parse(fs.readFileSync(JSON_FILE, 'utf8')) as MatrixRun).cases : [];
  const started = performance.now();
  const fresh: CaseResult[] = [];
  for (const part of parts) {
    for (const fault of faults) {
      const c = await runCase(part, fault);
      console.log(`${PART_NAMES[part]} / ${FAULT_NAMES[fault]}: ${c.status}${c.lost ? `, lost ${c.lost}` : ''}`);
      fresh.push(c);
    }
  }
  const isFresh = (c: CaseResult) => fresh.some((f) => f.part === c.part && f.fault === c.fault);
  const cases = [...previous.filter((c) => !isFresh(c)), ...fresh].sort(
    (a, b) => PARTS.indexOf(a.part) - PARTS.indexOf(b.part) || FAULTS.indexOf(a.fault) - FAULTS.indexOf(b.fault),
  );
  const m = machineInfo();
  return {
    date: new Date().toISOString(),
    machine: { cpu: m.cpu, cpus: m.cpus, platform: m.platform },
    node: process.version,
    settings: {
      'operation limit': `${OP_LIMIT_MS / 1000} s`,
      'fleet timeoutMs': 1000,
      redisTimeout: '250 ms',
      'proxy delay': '200 ms each way',
      'stand-in compile': 'its default cost',
    },
    totalMs: Math.round(performance.now() - started),
    cases,
  };
}

async function main(): Promise<void> {
  const docs = process.argv.includes('--docs');
  const run = !docs || process.argv.includes('--run');
  if (run) {
    const matrix = await measureAll();
    fs.mkdirSync(path.dirname(JSON_FILE), { recursive: true });
    fs.writeFileSync(JSON_FILE, `${JSON.stringify(matrix, null, 2)}\n`);
    printTable(matrix);
    console.log(`\nwrote ${path.relative(process.cwd(), JSON_FILE)}`);
  }
  if (docs) {
    if (!fs.existsSync(JSON_FILE)) throw new Error(`${JSON_FILE} is missing: run node dist/bench/fault-matrix.js first`);
    const matrix = JSON.parse(fs.readFileSync(JSON_FILE, 'utf8')) as MatrixRun;
    fs.writeFileSync(DOCS_FILE, withDocsSection(fs.readFileSync(DOCS_FILE, 'utf8'), matrix));
    console.log(`updated the fault matrix in ${path.relative(process.cwd(), DOCS_FILE)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
