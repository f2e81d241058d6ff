// Holds the embedded store's LMDB write lock until told to let go: opens <dir>/results.mdb as
// the store does, begins a write transaction, writes <dir>/holding, then waits inside it for
// <dir>/release (at most 60 s) and writes <dir>/released after the commit.
import fs from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';
import { DATABASE_FILE } from '../../lib/results/results-dir';

const dir = process.argv[2] as string;
const root = open({ path: path.join(dir, DATABASE_FILE), maxDbs: 8, noSubdir: true });
const info = root.openDB('info', { encoding: 'msgpack' });
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const deadline = Date.now() + 60_000;
root.transactionSync(() => {
  // A write inside the transaction: LMDB's writer mutex is held from here to the commit.
  info.putSync('write-holder-test', Date.now());
  fs.writeFileSync(path.join(dir, 'holding'), '');
  while (!fs.existsSync(path.join(dir, 'release')) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 20);
  info.removeSync('write-holder-test');
});
fs.writeFileSync(path.join(dir, 'released'), '');
void root.close();
