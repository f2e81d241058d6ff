// docs/api.md's "Exported names" lists exactly what the package root exports: its values (the
// built index.js) and its types (the api-extractor report, api/ovcache.api.md).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths';

function documentedNames(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
  const start = text.indexOf('## Exported names');
  const section = text.slice(start, text.indexOf('\n## ', start + 1));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| group') && !l.startsWith('| ---'));
  return rows.flatMap((r) => [...(r.split(' | ')[1] ?? '').matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1] as string)).sort();
}

function reportedNames(): string[] {
  const report = fs.readFileSync(path.join(ROOT, 'api', 'ovcache.api.md'), 'utf8');
  return [...report.matchAll(/^export (?:declare )?(?:abstract )?(?:type|interface|class|function|const|enum) ([A-Za-z_][A-Za-z0-9_]*)/gm)]
    .map((m) => m[1] as string)
    .sort();
}

describe('the public API', () => {
  it('docs/api.md documents exactly the exported names', () => {
    assert.deepEqual(documentedNames(), reportedNames());
  });

  it('the report names every value the built package exports', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const values = Object.keys(require(path.join(ROOT, 'dist', 'lib', 'index.js')) as object).sort();
    const reported = new Set(reportedNames());
    assert.deepEqual(
      values.filter((v) => !reported.has(v)),
      [],
    );
  });
});
