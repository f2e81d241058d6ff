import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ResultCache } from '../../lib/index';
import type { ResultEntryJson, ResultsStatsReport } from '../../lib/cli/commands/results-report';
import { ROOT, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function run(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, 'results', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function json<T>(args: string[], env: Record<string, string> = {}): T {
  const r = run([...args, '--json'], env);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('ovcache results', function () {
  this.timeout(60_000);
  let root: string;
  let keys: string[];
  beforeEach(async () => {
    root = makeTempDir('ovcache-results-cli-');
    const cache = new ResultCache({ dir: path.join(root, 'results') });
    keys = [];
    for (let i = 0; i < 4; i++) {
      const key = cache.keyFor({ model: i < 3 ? 'sd-v1' : 'mlp', params: { i } });
      keys.push(key);
      await cache.set(
        key,
        { meta: { i }, tensors: { out: { data: new Uint8Array(100 * (i + 1)), shape: [100 * (i + 1)], elementType: 'u8' } } },
        {
          computeMs: 1000,
          ...(i === 3 ? { ttl: 1 } : {}),
        },
      );
    }
    await cache.get(keys[0] ?? '');
    await cache.get(keys[0] ?? '');
    await cache.get(keys[1] ?? '');
    await cache.close();
  });
  afterEach(() => removeDir(root));

  it('stats: counters over every process, by model, with the time saved', () => {
    const s = json<ResultsStatsReport>(['stats', '--dir', root]);
    assert.equal(s.dir, path.join(root, 'results'));
    assert.equal(s.exists, true);
    assert.equal(s.entries, 4);
    assert.equal(s.hits, 3);
    assert.equal(s.timeSavedMs, 3000);
    assert.equal(s.expiredNow, 1);
    assert.deepEqual(
      s.byModel.map((m) => [m.model, m.entries, m.hits]),
      [
        ['sd-v1', 3, 3],
        ['mlp', 1, 0],
      ],
    );
    const text = run(['stats', '--dir', root]).stdout;
    assert.match(text, /Entries\s+4 .*1 expired awaiting removal/);
    assert.match(text, /Time saved\s+3\.0 s/);
  });

  it('ls: most recently used first, with --sort, --model and --limit', () => {
    const { entries } = json<{ entries: ResultEntryJson[] }>(['ls', '--results', path.join(root, 'results')]);
    assert.deepEqual(
      entries.map((e) => e.key),
      [keys[1], keys[0], keys[3], keys[2]],
    );
    assert.equal(entries[0]?.storage, 'inline');
    assert.equal(entries.find((e) => e.key === keys[3])?.expired, true);
    const bySize = json<{ entries: ResultEntryJson[] }>(['ls', '--dir', root, '--sort', 'size', '--model', 'sd-v1', '--limit', '2']);
    assert.deepEqual(
      bySize.entries.map((e) => e.key),
      [keys[2], keys[1]],
    );
    const text = run(['ls', '--dir', root]).stdout;
    assert.match(text, /MODEL\s+SIZE\s+HITS\s+COMPUTE\s+LAST USED\s+EXPIRES/);
    assert.match(text, /4 entries/);
    assert.equal(run(['ls', '--dir', root, '--sort', 'color']).status, 2);
  });

  it('prune: expired first, then least recently used beyond --max-entries; --dry-run removes nothing', () => {
    const dry = json<{ removed: number; expired: { count: number } }>(['prune', '--dir', root, '--max-entries', '2', '--dry-run']);
    assert.equal(dry.removed, 2);
    assert.equal(dry.expired.count, 1);
    assert.equal(json<ResultsStatsReport>(['stats', '--dir', root]).entries, 4);
    const done = json<{ removed: number; overEntries: { count: number } }>(['prune', '--dir', root, '--max-entries', '2']);
    assert.equal(done.removed, 2);
    assert.equal(done.overEntries.count, 1);
    const left = json<{ entries: ResultEntryJson[] }>(['ls', '--dir', root]).entries.map((e) => e.key);
    assert.deepEqual(left, [keys[1], keys[0]]);
  });

  it('clear: needs --yes off a terminal, then removes everything', () => {
    const refused = run(['clear', '--dir', root]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /pass --yes/);
    const cleared = json<{ removed: number }>(['clear', '--dir', root, '--yes']);
    assert.equal(cleared.removed, 4);
    assert.equal(json<ResultsStatsReport>(['stats', '--dir', root]).entries, 0);
  });

  it('read-only commands do not create a missing folder', () => {
    const missing = path.join(root, 'nothing-here');
    assert.equal(json<ResultsStatsReport>(['stats', '--dir', missing]).exists, false);
    assert.deepEqual(json<{ entries: unknown[] }>(['ls', '--dir', missing]).entries, []);
    assert.equal(fs.existsSync(missing), false);
  });

  it('a --dir or --results that is a file, or below one, is refused with [OVCACHE_CACHE_DIR_INVALID] (exit 1); extra arguments are refused', () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    for (const args of [
      ['stats', '--results', file],
      ['ls', '--results', file],
      ['stats', '--dir', file],
      ['ls', '--dir', file],
    ]) {
      const r = run(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /\[OVCACHE_CACHE_DIR_INVALID\] Results folder .* not a folder/, args.join(' '));
    }
    const extra = run(['stats', '--dir', root, 'stray']);
    assert.notEqual(extra.status, 0);
    assert.match(extra.stderr, /too many arguments/);
  });

  it("refuses a results folder others can write into ([OVCACHE_CACHE_DIR_INSECURE], exit 1); opens a group-shared one made with shared: 'group'", async () => {
    const results = path.join(root, 'results');
    fs.chmodSync(results, 0o777);
    const refused = run(['stats', '--dir', root]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /\[OVCACHE_CACHE_DIR_INSECURE\] Results folder .* is writable by every user/);
    fs.chmodSync(results, 0o700);
    const grouped = path.join(root, 'grouped');
    const cache = new ResultCache({ dir: grouped, shared: 'group' });
    await cache.set(keys[0] ?? '', { meta: 1 });
    await cache.close();
    assert.equal(fs.statSync(grouped).mode & 0o7777, 0o2770);
    assert.equal(json<ResultsStatsReport>(['stats', '--results', grouped]).entries, 1);
  });
});
