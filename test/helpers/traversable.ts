// Tests that run a child as another user (uid 65534) need that user to reach the compiled test
// files: a checkout in a 0700 folder (mktemp -d) is not reachable. traversableFor() adds the
// search bit for others (o+x, never read or write) to each folder above ROOT that lacks it,
// and returns a function that puts every mode back.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

export function makeRootTraversable(): () => void {
  const changed: Array<[string, number]> = [];
  for (let dir = ROOT; ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(dir, mode | 0o001);
      changed.push([dir, mode]);
    }
    if (path.dirname(dir) === dir) break;
  }
  return () => {
    for (const [dir, mode] of changed.reverse()) fs.chmodSync(dir, mode);
  };
}
