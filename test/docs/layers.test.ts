// docs/architecture.md, "Who may import whom": checked on the sources' import lines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LIB = path.join(ROOT, 'lib');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of the files under lib/<folder>, as "file -> lib-relative target". */
function importsOf(folder: string): Array<{ file: string; target: string }> {
  return sources(path.join(LIB, folder)).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => ({
      file: path.relative(ROOT, file),
      target: path.relative(LIB, path.resolve(path.dirname(file), m[1] as string)),
    })),
  );
}

function offending(folder: string, forbidden: string[]): string[] {
  return importsOf(folder)
    .filter(({ target }) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
    .map(({ file, target }) => `${file} -> lib/${target}`);
}

describe('layers (docs/architecture.md)', () => {
  it('lib/cache imports neither lib/fleet, lib/trust, lib/history, lib/results nor the package root', () => {
    assert.deepEqual(offending('cache', ['fleet', 'trust', 'history', 'results', 'index', 'model-cache', 'cli', 'metrics']), []);
  });

  it('the observers (metrics, history, dashboard) import neither the package root nor the CLI', () => {
    for (const folder of ['metrics', 'history', 'dashboard']) assert.deepEqual(offending(folder, ['index', 'cli']), [], folder);
  });
});
