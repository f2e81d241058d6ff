import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LocalModelCache as ModelCache } from '../../lib/cache/model-cache';
import { loadOpenVINO } from '../../lib/openvino/openvino';
import { ROOT, STAND_IN, fixture, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function run(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function json<T>(args: string[], env: Record<string, string> = {}): T {
  const r = run([...args, '--json'], env);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Entry {
  key: string;
  name: string;
  model: string;
  shapes: string;
  device: string;
  bytes: number;
  hits: number;
  lastUsedAt: string;
  state: string;
  stale: string[];
}

interface Group {
  entries: number;
  bytes: number;
  hits: number;
}
interface DuJson {
  entries: number;
  bytes: number;
  source: string;
  budget: { maxBytes: number; overBudget: boolean };
  volume: { totalBytes: number };
  byModel: Array<Group & { model: string }>;
  byDevice: Array<Group & { device: string }>;
}
interface RemovalJson {
  dryRun?: boolean;
  before: { entries: number; bytes: number };
  removed: Array<Entry & { reason: string }>;
  bytesFreed: number;
}
interface StatsJson {
  entries: number;
  hits: number;
  estimatedSavedMs: number;
  byDevice: Array<{ device: string }>;
  topEntries: Array<{ model: string; savedMs: number; compileMs: number; importMs: number }>;
}

function setLastUsed(dir: string, name: string, iso: string): void {
  const file = path.join(dir, 'entries', name, 'ovcache-entry.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  m.lastUsedAt = iso;
  fs.writeFileSync(file, JSON.stringify(m));
}

describe('ovcache cache commands', function () {
  this.timeout(60_000);
  let base: string;
  let dir: string;
  let outside: string;
  const entries = (): Entry[] => json<{ entries: Entry[] }>(['ls', '--dir', dir]).entries;

  beforeEach(async () => {
    base = makeTempDir();
    dir = path.join(base, 'cache');
    outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'precious.bin'), 'keep me');
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const cache = new ModelCache({ runtime: ov, dir });
    await cache.compile(fixture('mlp.xml'), { device: 'CPU' });
    await cache.compile(fixture('mlp.xml'), { device: 'CPU' });
    await cache.compile(fixture('image.xml'), { device: 'CPU', shapes: { image: [1, 3, 64, 64] } });
    await cache.compile(fixture('image.xml'), { device: 'CPU', shapes: { image: [1, 3, 32, 32] } });
    await cache.dispose();
  });
  afterEach(() => removeDir(base));

  /** Plants symlinks to files outside the cache: inside an entry and directly in entries/. */
  function plantLinks(entryName: string): void {
    fs.symlinkSync(path.join(outside, 'precious.bin'), path.join(dir, 'entries', entryName, 'evil.blob'));
    fs.symlinkSync(path.join(outside, 'precious.bin'), path.join(dir, 'entries', 'evil-link'));
  }
  const outsideIntact = (): void => assert.equal(fs.readFileSync(path.join(outside, 'precious.bin'), 'utf8'), 'keep me');

  describe('ls', () => {
    it('lists each entry with model, shapes, device, size and hits as JSON', () => {
      const list = entries();
      assert.equal(list.length, 3);
      const mlp = list.find((e) => e.model === 'mlp')!;
      assert.equal(mlp.shapes, 'input=[1,16]');
      assert.equal(mlp.device, 'CPU');
      assert.equal(mlp.hits, 1);
      assert.equal(mlp.state, 'ok');
      const onDisk = fs
        .readdirSync(path.join(dir, 'entries', mlp.name))
        .reduce((n, f) => n + fs.statSync(path.join(dir, 'entries', mlp.name, f)).size, 0);
      assert.equal(mlp.bytes, onDisk);
      assert.deepEqual(
        list
          .filter((e) => e.model === 'image')
          .map((e) => e.shapes)
          .sort(),
        ['image=[1,3,32,32]', 'image=[1,3,64,64]'],
      );
    });

    it('prints an aligned table with human sizes and relative times', () => {
      const r = run(['ls', '--dir', dir, '--sort', 'model']);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.match(lines[0]!, /^MODEL +SHAPES +DEVICE +SIZE +HITS +WARM\/COLD +LAST USED +STATE +KEY$/);
      assert.match(lines[2]!, /^image +image=\[1,3,32,32\] +CPU +\d+\.\d KiB +0 +- \/ [\d.]+ ms +just now +ok +[0-9a-f]{12}$/);
      assert.match(lines[4]!, /^mlp +input=\[1,16\] +CPU +\d+\.\d KiB +1 +[\d.]+ ms \/ [\d.]+ ms +just now +ok /);
      assert.match(r.stdout, /3 entries, \d+\.\d KiB in /);
      // Columns line up: every row's SIZE ends where the header's does.
      const end = lines[0]!.indexOf('SIZE') + 4;
      for (const l of lines.slice(2, 5)) assert.match(l.slice(end - 3, end), /KiB/);
    });

    it('sorts and filters', () => {
      const sizes = json<{ entries: Entry[] }>(['ls', '--dir', dir, '--sort', 'size']).entries.map((e) => e.bytes);
      assert.deepEqual(
        sizes,
        [...sizes].sort((a, b) => b - a),
      );
      assert.deepEqual(
        json<{ entries: Entry[] }>(['ls', '--dir', dir, '--model', 'image']).entries.map((e) => e.model),
        ['image', 'image'],
      );
      const big = Math.max(...sizes);
      assert.equal(json<{ entries: Entry[] }>(['ls', '--dir', dir, '--min-size', String(big)]).entries.length, 1);
      const name = entries().find((e) => e.model === 'mlp')!.name;
      setLastUsed(dir, name, new Date(Date.now() - 40 * 86_400_000).toISOString());
      assert.deepEqual(
        json<{ entries: Entry[] }>(['ls', '--dir', dir, '--older-than', '30d']).entries.map((e) => e.name),
        [name],
      );
      assert.match(run(['ls', '--dir', dir]).stdout, /40 d ago/);
    });

    it('marks entries stale after the runtime version changes', () => {
      const list = json<{ entries: Entry[]; runtime: { buildNumber: string } }>(['ls', '--dir', dir], {
        OV_STUB_VERSION: '2026.0.0-20500',
      });
      assert.equal(list.runtime.buildNumber, '2026.0.0-20500');
      assert.ok(list.entries.every((e) => e.state === 'stale' && e.stale.includes('runtime-version')));
      assert.match(run(['ls', '--dir', dir], { OV_STUB_VERSION: '2026.0.0-20500' }).stdout, /stale: runtime-version/);
    });

    it('uses OVCACHE_DIR when --dir is absent', () => {
      assert.equal(json<{ dir: string; entries: Entry[] }>(['ls'], { OVCACHE_DIR: dir }).entries.length, 3);
    });
  });

  describe('du', () => {
    it('gives totals by model and device, the budget and the volume as JSON', () => {
      const du = json<DuJson>(['du', '--dir', dir, '--max-size', '1MiB']);
      const list = entries();
      assert.equal(du.entries, 3);
      assert.equal(
        du.bytes,
        list.reduce((n, e) => n + e.bytes, 0),
      );
      assert.equal(du.budget.maxBytes, 1_048_576);
      assert.equal(du.budget.overBudget, false);
      assert.ok(du.volume.totalBytes > 0);
      assert.deepEqual(du.byModel.map((g) => [g.model, g.entries]).sort(), [
        ['image', 2],
        ['mlp', 1],
      ]);
      assert.deepEqual(
        du.byDevice.map((g) => g.device),
        ['CPU'],
      );
      assert.equal(du.source, '--dir');
    });

    it('prints human sizes and the budget', () => {
      const r = run(['du', '--dir', dir, '--max-size', '1KB']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Entries +3/);
      // 1KB was given in SI units: the budget line reads back in them (1.0 kB, not 1000 B).
      assert.match(r.stdout, /Budget +\d+\.\d kB of 1\.0 kB \(\d+%\) - OVER BUDGET/);
      assert.match(r.stdout, /By model\nMODEL +ENTRIES +SIZE +HITS/);
      assert.match(r.stdout, /Volume +.* available of /);
    });
  });

  describe('prune', () => {
    it('--dry-run lists what it would remove and removes nothing', () => {
      const before = fs.readdirSync(path.join(dir, 'entries')).sort();
      const r = json<RemovalJson>(['prune', '--dir', dir, '--max-size', '0', '--dry-run']);
      assert.equal(r.dryRun, true);
      assert.equal(r.removed.length, 3);
      assert.equal(r.bytesFreed, r.before.bytes);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'entries')).sort(), before);
      assert.match(run(['prune', '--dir', dir, '--older-than', '0', '--dry-run']).stdout, /Would remove 3 of 3 entries/);
    });

    it('removes the least recently used first, down to --max-size', () => {
      const list = entries();
      const [oldest, middle, newest] = list;
      setLastUsed(dir, oldest!.name, '2026-01-01T00:00:00Z');
      setLastUsed(dir, middle!.name, '2026-02-01T00:00:00Z');
      setLastUsed(dir, newest!.name, '2026-03-01T00:00:00Z');
      const now = entries(); // sizes after the manifests were rewritten
      const total = now.reduce((n, e) => n + e.bytes, 0);
      const oldestBytes = now.find((e) => e.name === oldest!.name)!.bytes;
      const r = json<RemovalJson>(['prune', '--dir', dir, '--max-size', String(total - oldestBytes)]);
      assert.deepEqual(
        r.removed.map((e) => e.name),
        [oldest!.name],
      );
      assert.equal(r.removed[0]!.reason, 'size');
      assert.equal(r.bytesFreed, oldestBytes);
      assert.deepEqual(
        entries()
          .map((e) => e.name)
          .sort(),
        [middle!.name, newest!.name].sort(),
      );
    });

    it('keeps N per model and leaves planted symlink targets alone', () => {
      const image = entries().filter((e) => e.model === 'image');
      plantLinks(image[0]!.name);
      setLastUsed(dir, image[0]!.name, '2020-01-01T00:00:00Z');
      const r = json<RemovalJson>(['prune', '--dir', dir, '--keep-per-model', '1']);
      assert.deepEqual(
        r.removed.map((e) => [e.name, e.reason]),
        [[image[0]!.name, 'per-model']],
      );
      outsideIntact();
    });

    it('needs at least one rule (exit 2)', () => {
      const r = run(['prune', '--dir', dir]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /give at least one of --max-size, --older-than, --keep-per-model/);
    });
  });

  describe('rm', () => {
    it('removes by key prefix and by model name; an unknown one exits 1', () => {
      const mlp = entries().find((e) => e.model === 'mlp')!;
      const byKey = json<RemovalJson>(['rm', mlp.key.slice(0, 8), '--dir', dir]);
      assert.deepEqual(
        byKey.removed.map((e) => e.name),
        [mlp.name],
      );
      const byModel = run(['rm', 'image', '--dir', dir]);
      assert.equal(byModel.status, 0, byModel.stderr);
      assert.match(byModel.stdout, /Removed 2 entries/);
      assert.equal(entries().length, 0);
      const missing = run(['rm', 'nothing-like-this', '--dir', dir]);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /OVCACHE_ENTRY_NOT_FOUND/);
    });

    it('removes an entry holding a symlink without touching the target', () => {
      const e = entries()[0]!;
      plantLinks(e.name);
      assert.equal(run(['rm', e.name, '--dir', dir]).status, 0);
      outsideIntact();
    });
  });

  describe('clear', () => {
    it('--yes empties entries/ but keeps CACHEDIR.TAG', () => {
      plantLinks(entries()[0]!.name);
      const r = json<RemovalJson>(['clear', '--yes', '--dir', dir]);
      assert.equal(r.removed.length, 3);
      assert.ok(r.bytesFreed > 0);
      const left = fs.readdirSync(path.join(dir, 'entries'));
      assert.deepEqual(left, ['evil-link'], 'a stray symlink is not an entry: clear leaves it to verify --fix');
      assert.ok(fs.existsSync(path.join(dir, 'CACHEDIR.TAG')));
      outsideIntact();
    });

    it('refuses without --yes when stdin is not a terminal (exit 2)', () => {
      const r = run(['clear', '--dir', dir]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /pass --yes/);
      assert.equal(entries().length, 3);
    });
  });

  describe('verify', () => {
    it('finds nothing wrong in a fresh cache (exit 0)', () => {
      const r = run(['verify', '--dir', dir]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /3 entries in .*: no problems found/);
    });

    it('finds a hand-broken entry, stale entries and strays; --fix repairs what is broken', () => {
      const [a, b] = entries();
      for (const f of fs.readdirSync(path.join(dir, 'entries', a!.name)).filter((n) => n.endsWith('.blob'))) {
        fs.rmSync(path.join(dir, 'entries', a!.name, f));
      }
      fs.writeFileSync(path.join(dir, 'entries', b!.name, 'ovcache-entry.json'), 'garbage');
      plantLinks(entries().find((e) => e.name !== a!.name && e.name !== b!.name)!.name);
      fs.writeFileSync(path.join(dir, 'stray-at-root.dat'), 'x');

      const r = run(['verify', '--dir', dir, '--json']);
      assert.equal(r.status, 1);
      const report = JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ kind: string; path: string; fixable: boolean }> };
      assert.equal(report.ok, false);
      const kinds = report.problems.map((p) => `${p.kind} ${p.path}`);
      assert.ok(kinds.includes(`blob-missing entries/${a!.name}`), kinds.join('\n'));
      assert.ok(kinds.includes(`manifest-invalid entries/${b!.name}`));
      assert.ok(kinds.includes('stray entries/evil-link'));
      assert.ok(kinds.includes('stray stray-at-root.dat'));
      assert.ok(kinds.some((k) => k.startsWith('symlink ')));
      assert.match(run(['verify', '--dir', dir]).stdout, /PROBLEM +PATH +SIZE +FIX +DETAIL/);

      // b's manifest is garbage and its folder young: rm-like force is not used by --fix, so age it.
      const old = new Date(Date.now() - 3_600_000);
      fs.utimesSync(path.join(dir, 'entries', b!.name), old, old);
      const fixed = run(['verify', '--fix', '--dir', dir, '--json']);
      const after = JSON.parse(fixed.stdout) as { remaining: number; fix: { outcomes: Array<{ path: string; status: string }> } };
      assert.equal(after.remaining, 1, 'only the stray outside entries/ remains');
      assert.equal(fixed.status, 1);
      outsideIntact();
      assert.ok(fs.existsSync(path.join(dir, 'stray-at-root.dat')), '--fix never removes anything outside entries/');
      assert.deepEqual(fs.readdirSync(path.join(dir, 'entries')), []);
      fs.rmSync(path.join(dir, 'stray-at-root.dat'));
      assert.equal(run(['verify', '--dir', dir]).status, 0);
    });

    it('reports entries of another runtime version, and --fix removes them', () => {
      const r = run(['verify', '--dir', dir, '--json'], { OV_STUB_VERSION: '2026.0.0-20500' });
      assert.equal(r.status, 1);
      const report = JSON.parse(r.stdout) as { problems: Array<{ kind: string }> };
      assert.deepEqual(
        report.problems.map((p) => p.kind),
        ['runtime-version', 'runtime-version', 'runtime-version'],
      );
      assert.equal(run(['verify', '--fix', '--dir', dir], { OV_STUB_VERSION: '2026.0.0-20500' }).status, 0);
      assert.equal(entries().length, 0);
    });

    it('never deletes or reads outside the cache for a hostile manifest', () => {
      const e = entries()[0]!;
      const file = path.join(dir, 'entries', e.name, 'ovcache-entry.json');
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      m.files = [{ name: '../../../outside/precious.bin', bytes: 7 }];
      m.modelPaths = [path.join(outside, 'precious.bin'), '../../outside'];
      m.complete = false;
      fs.writeFileSync(file, JSON.stringify(m));
      // Its names make the manifest invalid (issue 21); --fix leaves a young invalid one alone (a compile may be starting).
      const old = new Date(Date.now() - 120_000);
      fs.utimesSync(file, old, old);
      fs.utimesSync(path.dirname(file), old, old);
      const fixed = run(['verify', '--fix', '--dir', dir]);
      assert.equal(fixed.status, 0, fixed.stdout);
      assert.match(fixed.stdout, /manifest-invalid .*not a plain file name/);
      assert.equal(run(['clear', '--yes', '--dir', dir]).status, 0);
      outsideIntact();
    });
  });

  describe('stats', () => {
    it('sums hits, bytes and times, and estimates the time saved', () => {
      const s = json<StatsJson>(['stats', '--dir', dir]);
      assert.equal(s.entries, 3);
      assert.equal(s.hits, 1);
      assert.equal(s.byDevice[0]!.device, 'CPU');
      assert.equal(s.topEntries[0]!.model, 'mlp');
      const top = s.topEntries[0]!;
      assert.ok(Math.abs(top.savedMs - Math.max(0, top.compileMs - top.importMs)) < 0.01);
      assert.ok(Math.abs(s.estimatedSavedMs - top.savedMs) < 0.01);
      const human = run(['stats', '--dir', dir]);
      assert.match(human.stdout, /Hits +1\n/);
      assert.match(human.stdout, /Most used entries\nMODEL/);
    });
  });

  describe('doctor', () => {
    it('reports the cache folder, its usage, budget and volume', () => {
      const r = json<{
        cache: { dir: string; source: string; entries: number; bytes: number; budget: null; volume: { totalBytes: number } };
      }>(['doctor', '--dir', dir]);
      assert.equal(r.cache.dir, dir);
      assert.equal(r.cache.source, '--dir');
      assert.equal(r.cache.entries, 3);
      assert.equal(
        r.cache.bytes,
        entries().reduce((n, e) => n + e.bytes, 0),
      );
      assert.equal(r.cache.budget, null);
      assert.ok(r.cache.volume.totalBytes > 0);
      assert.match(run(['doctor', '--dir', dir]).stdout, /Cache: +.*\(chosen by --dir\)\n +3 entries, /);
    });
  });

  describe('bad arguments', () => {
    for (const [args, message] of [
      [
        ['du', '--max-size', '20XB'],
        /argument '20XB' is invalid\. Expected a size such as 20GB, 512 MiB or a number of bytes for --max-size but received "20XB"/,
      ],
      [['prune', '--max-size', '-5'], /Expected a size such as 20GB/],
      [
        ['prune', '--older-than', 'soon'],
        /Expected a duration such as 7d, 12h, 30min, 90s or a number of milliseconds for --older-than but received "soon"/,
      ],
      [['ls', '--older-than', '3 fortnights'], /Expected a duration/],
      [['ls', '--min-size', 'big'], /Expected a size/],
      [['prune', '--keep-per-model', '1.5'], /Expected a whole number \(0 or more\) for --keep-per-model but received "1.5"/],
      [['ls', '--sort', 'colour'], /--sort must be one of size, last-used, hits, created, model/],
    ] as const) {
      it(`${args.join(' ')} exits 2 with the parser's message`, () => {
        const r = run([...args, '--dir', dir]);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, message);
      });
    }
  });
});
