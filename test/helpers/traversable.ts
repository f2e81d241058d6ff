// Tests that run a child as another user (uid 65534) need that user to reach the compiled
// tests and the node binary: a checkout in a 0700 folder (mktemp -d) or a node under /root is
// out of its reach. makeRootTraversable() adds the search bit for others (o+x, never read or
// write) to each folder above them that lacks it, and returns a function that puts the modes back.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

export function makeRootTraversable(): () => void {
  const changed: Array<[string, number]> = [];
  // The checkout, and the node binary the child runs (CI's Node 22/24 live under ~/.cache).
  for (const start of [ROOT, path.dirname(fs.realpathSync(process.execPath))]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode & 0o7777;
      if ((mode & 0o001) === 0 && !changed.some(([d]) => d === dir)) {
        fs.chmodSync(dir, mode | 0o001);
        changed.push([dir, mode]);
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return () => {
    for (const [dir, mode] of changed.reverse()) fs.chmodSync(dir, mode);
  };
}
