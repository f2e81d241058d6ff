// The caching policy's decisions file: changes from several writers merge (each re-reads the
// file under the lock), the file is bounded, and foreign or garbled content reads as empty.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseDecisions, PolicyStore, type PolicyRecord } from '../../lib/cache/policy/store';
import { makeTempDir, removeDir } from '../helpers/paths';

const keyOf = (i: number) => crypto.createHash('sha256').update(String(i)).digest('hex');
const record = (compileMs: number): PolicyRecord => ({
  decision: 'not-worth-it',
  model: '/models/m.xml',
  device: 'CPU',
  compileMs,
  warmMs: compileMs * 2,
  plainMs: [],
  decidedAt: new Date().toISOString(),
  probedAt: Date.now(),
});

describe('policy decisions file', () => {
  let tmp: string;
  let file: string;
  const store = (maxDecisions?: number) =>
    new PolicyStore({
      file,
      lockPath: path.join(tmp, 'locks', 'cache-policy.lock'),
      staleLockMs: 10_000,
      ...(maxDecisions ? { maxDecisions } : {}),
    });

  beforeEach(() => {
    tmp = makeTempDir();
    file = path.join(tmp, 'fingerprints', 'cache-policy.json');
  });
  afterEach(() => removeDir(tmp));

  it('merges the changes of two writers that each hold an older copy', async () => {
    const a = store();
    const b = store();
    // Two writers at a time, each over its own older copy. Twenty at once queued on the lock, and
    // under load the last ones passed the store's 2 s lock wait and kept their decision in memory
    // (by design), which failed the count on disk: the merge, not the queue, is tested here.
    for (let i = 0; i < 20; i += 2) await Promise.all([a.update(keyOf(i), () => record(i)), b.update(keyOf(i + 1), () => record(i + 1))]);
    const onDisk = parseDecisions(fs.readFileSync(file, 'utf8'));
    assert.equal(onDisk?.size, 20);
    for (let i = 0; i < 20; i++) assert.equal(onDisk?.get(keyOf(i))?.compileMs, i);
    // A removal by one writer is not undone by the other's next change.
    await a.update(keyOf(3), () => null);
    await b.update(keyOf(4), (cur) => (cur ? { ...cur, compileMs: 40 } : null));
    const fresh = store();
    assert.equal(await fresh.get(keyOf(3)), undefined);
    assert.equal((await fresh.get(keyOf(4)))?.compileMs, 40);
  });

  it('keeps the most recently changed decisions up to its bound', async () => {
    const s = store(5);
    for (let i = 0; i < 8; i++) await s.update(keyOf(i), () => record(i));
    await s.update(keyOf(3), (cur) => cur ?? null); // changed again: now the newest
    const kept = [...(parseDecisions(fs.readFileSync(file, 'utf8'))?.keys() ?? [])];
    assert.deepEqual(kept, [4, 5, 6, 7, 3].map(keyOf));
  });

  it('reads garbage, another format and malformed records as nothing', () => {
    assert.equal(parseDecisions('{'), null);
    assert.equal(parseDecisions(JSON.stringify({ format: 2, decisions: {} })), null);
    assert.equal(parseDecisions(JSON.stringify({ format: 1, decisions: [] })), null);
    const mixed = parseDecisions(
      JSON.stringify({ format: 1, decisions: { [keyOf(1)]: record(1), 'not-a-key': record(2), [keyOf(3)]: { decision: 'maybe' } } }),
    );
    assert.deepEqual([...(mixed?.keys() ?? [])], [keyOf(1)]);
  });
});
