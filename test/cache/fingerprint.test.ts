import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Fingerprinter, sha256File } from '../../lib/cache/fingerprint';
import { makeTempDir, removeDir } from '../helpers/paths';
import { age } from './helpers';

describe('fingerprints', () => {
  let tmp: string;
  let memo: string;
  beforeEach(() => {
    tmp = makeTempDir();
    memo = path.join(tmp, 'memo');
    fs.mkdirSync(memo);
  });
  afterEach(() => removeDir(tmp));

  it('is the sha256 that sha256sum prints, across chunk boundaries', async () => {
    const file = path.join(tmp, 'w.bin');
    fs.writeFileSync(file, crypto.randomBytes((9 << 20) + 123));
    const expected = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(await sha256File(file), expected);
    const empty = path.join(tmp, 'empty');
    fs.writeFileSync(empty, '');
    assert.equal(await sha256File(empty), crypto.createHash('sha256').digest('hex'));
  });

  it('memoizes in the process and in a memo file keyed by file identity', async () => {
    const file = path.join(tmp, 'w.bin');
    fs.writeFileSync(file, 'weights');
    age(file);
    const printer = new Fingerprinter({ memoDir: memo, racyWindowMs: 0 });
    const first = await printer.fingerprint(file);
    assert.equal(first.source, 'computed');
    assert.equal(fs.readdirSync(memo).length, 1);
    assert.equal((await printer.fingerprint(file)).source, 'memory');
    printer.forget();
    assert.equal((await printer.fingerprint(file)).source, 'disk');
    // Another instance shares nothing in memory, only the memo file.
    const fromDisk = await new Fingerprinter({ memoDir: memo, racyWindowMs: 0 }).fingerprint(file);
    assert.equal(fromDisk.source, 'disk');
    assert.equal(fromDisk.sha256, first.sha256);
  });

  it('notices new content even when size and mtime are put back', async () => {
    const file = path.join(tmp, 'w.bin');
    fs.writeFileSync(file, 'AAAA');
    age(file);
    const printer = new Fingerprinter({ memoDir: memo, racyWindowMs: 0 });
    const before = await printer.fingerprint(file);
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'BBBB');
    fs.utimesSync(file, atime, mtime); // same size, same mtime: only ctime tells
    const after = await printer.fingerprint(file);
    assert.equal(after.source, 'computed');
    assert.notEqual(after.sha256, before.sha256);
  });

  it('does not memoize a file changed moments ago (racy)', async () => {
    const file = path.join(tmp, 'w.bin');
    fs.writeFileSync(file, 'fresh');
    const printer = new Fingerprinter({ memoDir: memo });
    assert.equal((await printer.fingerprint(file)).source, 'computed');
    assert.equal((await printer.fingerprint(file)).source, 'computed');
    assert.equal(fs.readdirSync(memo).length, 0);
  });

  it('ignores a garbage memo file and does not write when writeMemo is false', async () => {
    const file = path.join(tmp, 'w.bin');
    fs.writeFileSync(file, 'weights');
    age(file);
    const first = await new Fingerprinter({ memoDir: memo, racyWindowMs: 0 }).fingerprint(file);
    assert.equal(first.source, 'computed');
    const [name] = fs.readdirSync(memo);
    fs.writeFileSync(path.join(memo, name as string), '{garbage');
    const again = await new Fingerprinter({ memoDir: memo, racyWindowMs: 0, writeMemo: false }).fingerprint(file);
    assert.equal(again.source, 'computed');
    assert.equal(fs.readFileSync(path.join(memo, name as string), 'utf8'), '{garbage');
  });
});
