// The cold/warm cache check: ModelCache compiles the MLP into an empty cache folder (a miss), then
// a second ModelCache (a new process would do the same) loads it from that folder (a hit), and both
// compiled models infer the reference numbers. Reports the two compile times, as measured here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { LocalModelCache } from '../cache/model-cache';
import { mlpReference } from './fixture-models';
import { SelftestSkip, type CaseDetails, type SelftestCase } from './case';

export const COLD_WARM_CASE: SelftestCase = {
  name: 'cold/warm: ModelCache misses into an empty folder, then hits from it with the same numbers',
  async run({ ov, device, fixtures, tmp }): Promise<CaseDetails> {
    {
      using core = ov.createCore();
      if (!core.deviceInfo(device).canCache) throw new SelftestSkip(`${device} does not list EXPORT_IMPORT: it cannot cache`);
    }
    const dir = path.join(tmp, 'model-cache');
    const input = Float32Array.from({ length: 16 }, (_, i) => Math.cos(i));
    const want = mlpReference(input);
    const ms: number[] = [];
    for (const expectHit of [false, true]) {
      const cache = new LocalModelCache({ runtime: ov, dir });
      try {
        const result = await cache.compile(path.join(fixtures, 'mlp.xml'), { device });
        assert.equal(
          result.hit,
          expectHit,
          `${expectHit ? 'warm' : 'cold'} compile: hit=${result.hit} (uncached: ${result.uncachedReason ?? 'no'})`,
        );
        ms.push(result.timings.totalMs);
        using compiled = result.compiled;
        using request = compiled.createInferRequest();
        const out = Object.values(await request.infer(input))[0];
        assert.ok(out, 'an output');
        Array.from(out.data as Float32Array).forEach((v, i) =>
          assert.ok(Math.abs(v - want[i]!) < 1e-3, `output[${i}] = ${v}, want ${want[i]}`),
        );
      } finally {
        await cache.dispose();
      }
    }
    return { coldMs: round(ms[0]!), warmMs: round(ms[1]!) };
  },
};

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
