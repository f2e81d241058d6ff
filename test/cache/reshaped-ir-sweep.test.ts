// The sweep of the per-user reshaped-IR folder: dangling weights links, IRs unused for the idle
// time and dead writers' temp files go; IRs in use stay. Use is marked by refreshing ctime.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RESHAPED_IR_MAX_IDLE_MS, sweepReshapedIrs } from '../../lib/cache/warm/reshaped-ir-sweep';
import { makeTempDir, removeDir } from '../helpers/paths';

const stem = (c: string) => c.repeat(32);

describe('reshaped IR sweep', () => {
  let tmp: string;
  let folder: string;
  let weights: string;
  beforeEach(() => {
    tmp = makeTempDir('ovcache-ir-sweep-');
    folder = path.join(tmp, 'reshaped');
    fs.mkdirSync(folder);
    weights = path.join(tmp, 'model.bin');
    fs.writeFileSync(weights, 'weights');
  });
  afterEach(() => removeDir(tmp));

  function pair(s: string, target = weights): void {
    fs.writeFileSync(path.join(folder, `${s}.xml`), '<net/>');
    fs.symlinkSync(target, path.join(folder, `${s}.bin`));
  }

  it('removes a pair whose weights are gone and leaves live pairs and foreign files', async () => {
    pair(stem('a'));
    pair(stem('b'), path.join(tmp, 'deleted.bin'));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not ours');
    const report = await sweepReshapedIrs(folder);
    assert.deepEqual(report.removed.sort(), [`${stem('b')}.bin`, `${stem('b')}.xml`]);
    assert.deepEqual(fs.readdirSync(folder).sort(), [`${stem('a')}.bin`, `${stem('a')}.xml`, 'notes.txt']);
  });

  it('removes pairs idle longer than the idle time and temp files older than an hour', async () => {
    pair(stem('c'));
    fs.writeFileSync(path.join(folder, `${stem('d')}.xml.1234.abcd1234`), 'half written');
    assert.equal((await sweepReshapedIrs(folder, { now: Date.now() + 30 * 60_000 })).removed.length, 0, 'nothing is old yet');
    const later = await sweepReshapedIrs(folder, { now: Date.now() + RESHAPED_IR_MAX_IDLE_MS + 60_000 });
    assert.deepEqual(later.removed.sort(), [`${stem('c')}.bin`, `${stem('c')}.xml`, `${stem('d')}.xml.1234.abcd1234`]);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('never takes a weights link whose .xml is not there yet (a writer between its two renames); after an hour it does', async () => {
    fs.symlinkSync(weights, path.join(folder, `${stem('e')}.bin`));
    assert.deepEqual((await sweepReshapedIrs(folder)).removed, [], 'a live writer keeps its link');
    assert.deepEqual(fs.readdirSync(folder), [`${stem('e')}.bin`]);
    const later = await sweepReshapedIrs(folder, { now: Date.now() + 2 * 3600_000 });
    assert.deepEqual(later.removed, [`${stem('e')}.bin`], "a dead writer's link goes after an hour");
  });

  it('a missing folder is an empty sweep, not an error', async () => {
    assert.deepEqual(await sweepReshapedIrs(path.join(tmp, 'none')), { removed: [] });
  });
});
