// The package's own version, read from its package.json (two folders above dist/lib/cli/ and lib/cli/).
import fs from 'node:fs';
import path from 'node:path';

export function ovcacheVersion(): string {
  for (const up of ['../../..', '../..']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ovcache' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}
