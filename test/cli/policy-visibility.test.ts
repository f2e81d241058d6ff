// The caching policy seen from outside: `ovcache ls`, `ovcache stats` (through the real CLI)
// and explain() show an entry's timings and the decision for its key, over entries made in
// fresh processes with the stand-in's knobs (slow imports: not-worth-it; minCompileMs:
// compile-too-fast, which leaves no entry; default costs: cached).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenVINO, ModelCache, type PolicyView } from '../../lib/index';
import { MIN_WARM_SAMPLES } from '../../lib/cache/policy/policy';
import { writeMlp, writeWeightsModel } from '../../scripts/make-fixtures';
import { outcomes, runPolicyChild } from '../cache/policy-child-run';
import { ROOT, STAND_IN, makeTempDir, removeDir } from '../helpers/paths';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENVINO_LIB_PATH: STAND_IN },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Timings {
  coldCompileMs: number;
  blobWriteMs: number | null;
  warmLoadMedianMs: number | null;
  warmLoadLastMs: number | null;
  warmLoads: number;
}
interface LsJson {
  entries: Array<{ key: string; name: string; model: string; timings: Timings | null; policy: PolicyView }>;
  notCached: Array<PolicyView & { key: string; model: string; device: string; entry: string | null }>;
}
interface StatsJson {
  policy: { notWorthIt: number; compileTooFast: number; decisions: LsJson['notCached'] };
  topEntries: Array<{ key: string; timings: Timings | null }>;
}

describe('the caching policy in ovcache ls / stats and explain()', function () {
  this.timeout(120_000);
  let tmp: string;
  let dir: string;
  let slowKey: string;
  let fastKey: string;
  let tinyKey: string;

  before(async () => {
    tmp = makeTempDir();
    dir = path.join(tmp, 'cache');
    const models = path.join(tmp, 'models');
    fs.mkdirSync(models);
    const slow = writeWeightsModel(models, 1 << 20, 'slowload').xml;
    const fast = writeWeightsModel(models, 1 << 18, 'fastload').xml;
    const tiny = writeMlp(models, 'tiny').xml;
    // Imports of 40 ms per MiB: slower than the compile, so after MIN_WARM_SAMPLES loads it stops being cached.
    const s = await runPolicyChild({ dir, model: slow, calls: MIN_WARM_SAMPLES + 2 }, { OV_STUB_IMPORT_MS_PER_MB: '40' });
    assert.deepEqual(outcomes(s).slice(-1), ['not-worth-it']);
    const f = await runPolicyChild({ dir, model: fast, calls: 3 }, {});
    assert.deepEqual(outcomes(f), ['miss', 'hit', 'hit']);
    const t = await runPolicyChild({ dir, model: tiny, calls: 1, options: { minCompileMs: 60_000 } }, {});
    assert.deepEqual(outcomes(t), ['compile-too-fast']);
    [slowKey, fastKey, tinyKey] = [s, f, t].map((r) => r.calls[0]!.key) as [string, string, string];
  });
  after(() => removeDir(tmp));

  it('ls --json: timings and the decision per entry, and decisions whose key has no entry', () => {
    const ls = JSON.parse(cli(['ls', '--dir', dir, '--json'])) as LsJson;
    const byKey = new Map(ls.entries.map((e) => [e.key, e]));
    assert.equal(ls.entries.length, 2, 'compile-too-fast left no entry');
    const slow = byKey.get(slowKey)!;
    assert.equal(slow.policy.state, 'not-cached');
    assert.equal(slow.policy.reason, 'not-worth-it');
    assert.ok(slow.policy.warmMs! > slow.policy.compileMs!, `warm ${slow.policy.warmMs} > compile ${slow.policy.compileMs}`);
    assert.ok(Date.parse(slow.policy.nextProbeAt!) > Date.parse(slow.policy.since!), 'a probe is due after the decision');
    assert.equal(slow.timings?.warmLoads, MIN_WARM_SAMPLES);
    assert.ok(slow.timings.warmLoadMedianMs! > slow.timings.coldCompileMs, 'its loads are slower than its cold compile');
    const fast = byKey.get(fastKey)!;
    assert.deepEqual([fast.policy.state, fast.policy.reason, fast.timings?.warmLoads], ['cached', null, 2]);
    assert.ok(fast.timings!.warmLoadLastMs! < fast.timings!.coldCompileMs);
    assert.deepEqual(
      ls.notCached.map((d) => [d.key, d.reason, d.entry === null, d.nextProbeAt === null]).sort(),
      [
        [slowKey, 'not-worth-it', false, false],
        [tinyKey, 'compile-too-fast', true, true],
      ].sort(),
    );
    const onlyFast = JSON.parse(cli(['ls', '--dir', dir, '--json', '--model', 'fastload'])) as LsJson;
    assert.deepEqual(onlyFast.notCached, [], '--model narrows the decisions too');
  });

  it('ls: one WARM/COLD column, and a line per key the policy does not cache', () => {
    const out = cli(['ls', '--dir', dir]);
    assert.match(out.split('\n')[0]!, /HITS +WARM\/COLD +LAST USED/);
    assert.match(out, /fastload .+ \d+(\.\d+)? ms \/ \d+(\.\d+)? ms/);
    assert.match(out, /Not cached by the policy \(2\):/);
    assert.match(
      out,
      /slowload\.xml on CPU \(key [0-9a-f]+\): not cached \(not-worth-it\), decided just now: warm load .+ vs compile .+; next probe within/,
    );
    assert.match(
      out,
      /tiny\.xml on CPU \(key [0-9a-f]+\): not cached \(compile-too-fast\), decided just now: compile .+, under minCompileMs\n/,
    );
  });

  it('stats: counts of the decisions, timings of the most used entries', () => {
    const stats = JSON.parse(cli(['stats', '--dir', dir, '--json'])) as StatsJson;
    assert.deepEqual([stats.policy.notWorthIt, stats.policy.compileTooFast], [1, 1]);
    assert.equal(stats.topEntries.find((e) => e.key === fastKey)?.timings?.warmLoads, 2);
    const out = cli(['stats', '--dir', dir]);
    assert.match(out, /Policy +2 key\(s\) not cached: 1 not-worth-it, 1 compile-too-fast/);
    assert.match(out, /Not cached by the policy \(2\):\n {2}\S+\.xml on CPU/);
  });

  it('explain(): a timings line and a policy line', async () => {
    const ov = await loadOpenVINO({ libraryPath: STAND_IN });
    const core = ov.createCore();
    const cache = new ModelCache({ core, dir, readOnly: true });
    try {
      const slow = await cache.explain(slowKey.slice(0, 12));
      assert.equal(slow.policy?.reason, 'not-worth-it');
      assert.match(slow.lines.join('\n'), /timings +cold compile .+ warm loads .+ median, .+ last \(5\)/);
      assert.match(slow.lines.join('\n'), /policy +not cached \(not-worth-it\)/);
      const fast = await cache.explain(fastKey);
      assert.equal(fast.policy?.state, 'cached');
      assert.ok(fast.lines.includes('policy    cached'));
    } finally {
      await cache.dispose();
      core.dispose();
    }
  });
});
