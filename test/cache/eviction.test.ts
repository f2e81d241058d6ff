import assert from 'node:assert/strict';
import { planEviction, type EvictionEntry } from '../../lib/cache/eviction/plan';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;

/** Entry `name`, last used `hoursAgo` hours before NOW. */
function entry(name: string, hoursAgo: number, bytes = 100, modelId = 'm', key: string | null = `key-${name}`): EvictionEntry {
  return { name, dir: `/cache/entries/${name}`, key, modelId, bytes, lastUsedMs: NOW - hoursAgo * HOUR, createdMs: NOW - 1000 * HOUR };
}

const names = (plan: { remove: Array<{ entry: EvictionEntry }> }): string[] => plan.remove.map((r) => r.entry.name);

describe('planEviction', () => {
  it('plans nothing without a rule, and nothing when under budget', () => {
    const entries = [entry('a', 1), entry('b', 2)];
    assert.deepEqual(names(planEviction(entries, { now: NOW })), []);
    const plan = planEviction(entries, { now: NOW, maxBytes: 200 });
    assert.deepEqual(names(plan), []);
    assert.equal(plan.bytesAfter, 200);
    assert.equal(plan.overBudget, false);
  });

  it('removes least recently used first until usage is at or under maxBytes', () => {
    const entries = [entry('new', 1), entry('oldest', 30), entry('mid', 5), entry('old', 10)];
    const plan = planEviction(entries, { now: NOW, maxBytes: 250 });
    assert.deepEqual(names(plan), ['oldest', 'old']);
    assert.ok(plan.remove.every((r) => r.reason === 'size'));
    assert.equal(plan.bytesBefore, 400);
    assert.equal(plan.bytesFreed, 200);
    assert.equal(plan.bytesAfter, 200);
    assert.equal(plan.entriesAfter, 2);
    assert.equal(plan.targetBytes, 250);
  });

  it('goes down to the low watermark once maxBytes is exceeded, and not at all below maxBytes', () => {
    const entries = [entry('a', 1), entry('b', 2), entry('c', 3), entry('d', 4)];
    assert.deepEqual(names(planEviction(entries, { now: NOW, maxBytes: 350, lowWatermarkBytes: 150 })), ['d', 'c', 'b']);
    assert.deepEqual(names(planEviction(entries, { now: NOW, maxBytes: 400, lowWatermarkBytes: 150 })), []);
  });

  it('uses the manifest time only: ties broken by creation time, then name', () => {
    const a = { ...entry('a', 5), createdMs: NOW - 2 * HOUR };
    const b = { ...entry('b', 5), createdMs: NOW - 3 * HOUR };
    const c = entry('c', 5);
    const plan = planEviction([a, b, c], { now: NOW, maxBytes: 100 });
    assert.deepEqual(names(plan), ['c', 'b']);
  });

  it('removes everything older than maxAge, with that reason', () => {
    const plan = planEviction([entry('a', 1), entry('b', 49), entry('c', 100)], { now: NOW, maxAgeMs: 48 * HOUR });
    assert.deepEqual(names(plan), ['c', 'b']);
    assert.ok(plan.remove.every((r) => r.reason === 'max-age'));
  });

  it('keeps the N most recently used entries per model', () => {
    const entries = [
      entry('x1', 1, 100, 'x'),
      entry('x2', 2, 100, 'x'),
      entry('x3', 3, 100, 'x'),
      entry('y1', 9, 100, 'y'),
      entry('y2', 8, 100, 'y'),
    ];
    const plan = planEviction(entries, { now: NOW, maxEntriesPerModel: 1 });
    assert.deepEqual(names(plan).sort(), ['x2', 'x3', 'y1']);
    assert.ok(plan.remove.every((r) => r.reason === 'per-model'));
  });

  it('never plans a protected key; a protected entry counts as kept, so another goes instead', () => {
    const entries = [entry('a', 1), entry('b', 2), entry('c', 3)];
    const plan = planEviction(entries, { now: NOW, maxBytes: 100, protectedKeys: ['key-c'] });
    assert.deepEqual(names(plan), ['b', 'a']);
    assert.equal(plan.protectedSkipped, 1);
    assert.equal(plan.bytesAfter, 100);

    const perModel = planEviction(entries, { now: NOW, maxEntriesPerModel: 2, protectedKeys: new Set(['key-c']) });
    assert.deepEqual(names(perModel), ['b']);

    const stuck = planEviction([entry('p', 9)], { now: NOW, maxBytes: 10, maxAgeMs: HOUR, protectedKeys: ['key-p'] });
    assert.deepEqual(names(stuck), []);
    assert.equal(stuck.overBudget, true);
  });

  it('applies age, then per-model, then size, each entry once', () => {
    const entries = [entry('a', 100, 100, 'm'), entry('b', 3, 100, 'm'), entry('c', 2, 100, 'm'), entry('d', 1, 300, 'n')];
    const plan = planEviction(entries, { now: NOW, maxAgeMs: 50 * HOUR, maxEntriesPerModel: 1, maxBytes: 350 });
    assert.deepEqual(
      plan.remove.map((r) => [r.entry.name, r.reason]),
      [
        ['a', 'max-age'],
        ['b', 'per-model'],
        ['c', 'size'],
      ],
    );
    assert.equal(plan.bytesAfter, 300);
  });

  it('is pure: the input is not reordered or changed', () => {
    const entries = [entry('b', 1), entry('a', 2)];
    const copy = structuredClone(entries);
    planEviction(entries, { now: NOW, maxBytes: 0 });
    assert.deepEqual(entries, copy);
  });

  describe('with the current generation (issue 27: old-build entries go first)', () => {
    const OLD = '2025.4.0-20398-stub';
    const NEW = '2025.4.1-20460-stub';
    const built = (e: EvictionEntry, buildNumber: string, deviceIdentity = 'Stub CPU'): EvictionEntry => ({
      ...e,
      buildNumber,
      device: 'CPU',
      deviceIdentity,
    });
    const current = { buildNumber: NEW, deviceIdentities: new Map([['CPU', 'Stub CPU']]) };

    it('size eviction takes entries of another build before any entry of the current build, then least recently used', () => {
      // The old build's entries were used more recently than the current build's: LRU alone would take 'new-a' first.
      const entries = [
        built(entry('new-a', 30), NEW),
        built(entry('new-b', 20), NEW),
        built(entry('old-a', 2), OLD),
        built(entry('old-b', 1), OLD),
      ];
      assert.deepEqual(names(planEviction(entries, { now: NOW, maxBytes: 250 })), ['new-a', 'new-b']);
      const plan = planEviction(entries, { now: NOW, maxBytes: 250, current });
      assert.deepEqual(names(plan), ['old-a', 'old-b']);
      assert.deepEqual(
        names(planEviction(entries, { now: NOW, maxBytes: 150, current })),
        ['old-a', 'old-b', 'new-a'],
        'then the current build, least recently used first',
      );
    });

    it('an entry of another device identity (a driver update) goes first too; unknown devices and builds are not compared', () => {
      const entries = [
        built(entry('current', 30), NEW),
        { ...built(entry('gpu', 40), NEW), device: 'GPU', deviceIdentity: 'Some GPU' },
        entry('no-manifest', 50),
        built(entry('old-driver', 1), NEW, 'Stub CPU [driver 1]'),
      ];
      assert.deepEqual(names(planEviction(entries, { now: NOW, maxBytes: 300, current })), ['old-driver']);
      assert.deepEqual(names(planEviction(entries, { now: NOW, maxBytes: 200, current })), ['old-driver', 'no-manifest']);
    });

    it('per-model eviction keeps the current build entry of a model and takes the old build one', () => {
      const entries = [built(entry('twin', 5), NEW), built(entry('old', 1), OLD)];
      assert.deepEqual(names(planEviction(entries, { now: NOW, maxEntriesPerModel: 1 })), ['twin']);
      assert.deepEqual(names(planEviction(entries, { now: NOW, maxEntriesPerModel: 1, current })), ['old']);
    });

    it('a protected old-build entry stays: the current build gives way only for what is left to free', () => {
      const entries = [built(entry('new-a', 30), NEW), built(entry('old-a', 2), OLD, 'Stub CPU'), built(entry('old-b', 1), OLD)];
      const plan = planEviction(entries, { now: NOW, maxBytes: 150, current, protectedKeys: ['key-old-a'] });
      assert.deepEqual(names(plan), ['old-b', 'new-a']);
      assert.equal(plan.protectedSkipped, 1);
    });
  });
});
