// The eviction driver with an injected removal: protections, re-planning after held entries,
// named selections, dry runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { RemoveOptions, RemoveResult } from '../../lib/cache/entry/remove';
import { failedWritingInto } from '../../lib/cache/entry/fill-writes';
import { byPolicy, named, runEviction } from '../../lib/cache/eviction/driver';
import type { ScannedEntry } from '../../lib/cache/scan';
import { makeTempDir, removeDir } from '../helpers/paths';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function entry(name: string, minutesAgo: number, bytes = 100): ScannedEntry {
  return {
    name,
    dir: `/cache/entries/${name}`,
    key: `key-${name}`,
    modelId: 'm',
    bytes,
    lastUsedMs: NOW - minutesAgo * 60_000,
    createdMs: 0,
  } as ScannedEntry;
}

/** A removal that says 'locked' for the names given and 'removed' otherwise, recording each call. */
function fakeRemove(locked: string[], calls: string[]) {
  return (_dir: string, entryDir: string, options: RemoveOptions): Promise<RemoveResult> => {
    const name = path.basename(entryDir);
    calls.push(name);
    return Promise.resolve(
      locked.includes(name)
        ? { status: 'locked', name, reason: 'being loaded by process 1' }
        : { status: 'removed', name, bytes: options.bytes ?? 0 },
    );
  };
}

describe('the eviction driver', () => {
  const entries = [entry('a', 40), entry('b', 30), entry('c', 20), entry('d', 10)];

  it('plans again without an entry another process holds, so usage still gets under the limit', async () => {
    const calls: string[] = [];
    const r = await runEviction({
      cacheDir: '/cache',
      entries,
      select: byPolicy(() => ({ maxBytes: 200, now: NOW })),
      remove: fakeRemove(['a'], calls),
    });
    assert.deepEqual(calls, ['a', 'b', 'c']);
    assert.deepEqual(
      r.removed.map((x) => x.entry.name),
      ['b', 'c'],
    );
    assert.deepEqual(
      r.skipped.map((x) => [x.entry.name, x.status]),
      [['a', 'locked']],
    );
    assert.equal(r.usedBytes, 200, 'the held entry still counts');
  });

  it('never removes a protected key, whatever the selector says', async () => {
    const calls: string[] = [];
    const r = await runEviction({
      cacheDir: '/cache',
      entries,
      select: named(entries),
      protectedKeys: ['key-b'],
      remove: fakeRemove([], calls),
    });
    assert.deepEqual(calls, ['a', 'c', 'd']);
    assert.deepEqual(
      r.skipped.map((x) => [x.entry.name, x.status]),
      [['b', 'protected']],
    );
  });

  it('tries named entries once, and a dry run removes nothing', async () => {
    const calls: string[] = [];
    const r = await runEviction({ cacheDir: '/cache', entries, select: named([entries[0]!]), remove: fakeRemove(['a'], calls) });
    assert.deepEqual(calls, ['a']);
    assert.equal(r.skipped.length, 1);
    const dry = await runEviction({
      cacheDir: '/cache',
      entries,
      select: byPolicy(() => ({ maxBytes: 100, now: NOW })),
      dryRun: true,
      remove: fakeRemove([], calls),
    });
    assert.deepEqual(calls, ['a']);
    assert.deepEqual(
      dry.removed.map((x) => x.entry.name),
      ['a', 'b', 'c'],
    );
    assert.equal(dry.usedBytes, 100);
  });
});

describe('a failed write into an entry, by the folder', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => removeDir(tmp));

  it('is a file OpenVINO left or changed, not a folder left as it was', async () => {
    fs.writeFileSync(path.join(tmp, 'old.blob'), 'x'.repeat(10));
    const before = [{ name: 'old.blob', bytes: 10 }];
    assert.equal(await failedWritingInto(tmp, before), false, 'untouched and writable: the compile failed for another reason');
    fs.writeFileSync(path.join(tmp, '123.blob'), 'partial');
    assert.equal(await failedWritingInto(tmp, before), true, 'a partial blob');
    fs.rmSync(path.join(tmp, '123.blob'));
    fs.writeFileSync(path.join(tmp, 'old.blob'), 'x'.repeat(4));
    assert.equal(await failedWritingInto(tmp, before), true, 'a blob rewritten to another size');
    assert.deepEqual(
      fs.readdirSync(tmp).filter((n) => n.startsWith('.')),
      [],
      'the write probe leaves nothing behind',
    );
  });
});
