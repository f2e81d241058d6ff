// The ABI table (native/abi/releases.json) against what native/ and lib/ actually declare, for
// every release line from 2024.2 to 2026.4: each function native/ resolves exists in that line
// with upstream's signature, the structs have upstream's fields and LP64 layout, the property-key
// strings match, the element numbering native/element_types.cc uses is the line's, and the
// package accepts exactly the lines the table marks supported (checked by loading the stand-in
// configured as each line, so the real addon picks the numbering).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isSupported, parseBuildNumber } from '../../lib/runtime/version';
import { ROOT, STAND_IN } from '../helpers/paths';
import {
  compareLines,
  elementProblems,
  functionProblems,
  loadAbiTable,
  signatureProblems,
  structProblems,
  type AbiTable,
} from './abi-table';
import { parseElementNames, parseHeader, parseSymbolTable, type CHeader } from './c-declarations';

const run = promisify(execFile);
const read = (...p: string[]): string => fs.readFileSync(path.join(ROOT, ...p), 'utf8');

const EXPECTED_LINES = ['2024.2', '2024.3', '2024.4', '2024.5', '2024.6', '2025.0', '2025.1', '2025.2', '2025.3', '2025.4'].concat([
  '2026.0',
  '2026.1',
  '2026.2',
  '2026.3',
  '2026.4',
]);

interface LoadResult {
  numbering?: string;
  refused?: { code?: string; message: string };
}

async function loadAs(line: string): Promise<LoadResult> {
  const { stdout } = await run(process.execPath, [path.join(__dirname, 'load-child.js'), STAND_IN], {
    env: { ...process.env, OV_STUB_VERSION: `${line}.0-abi-check`, OVCACHE_SKIP_VERSION_CHECK: '' },
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

describe('ABI table: native/ against every supported OpenVINO release line', function () {
  this.timeout(120000);
  const table: AbiTable = loadAbiTable(ROOT);
  const header: CHeader = parseHeader(read('native', 'ov_c_api.h'));
  const supported = table.releases.filter((r) => r.supported);

  it('covers 2024.2 to 2026.4, one entry per line, in order, with a source or a reason for each', () => {
    assert.deepEqual(
      supported.map((r) => r.line),
      EXPECTED_LINES,
    );
    const lines = table.releases.map((r) => r.line);
    assert.deepEqual([...lines].sort(compareLines), lines, 'ordered');
    for (const r of table.releases) {
      assert.ok(r.sources.length > 0 || (r.notes ?? '').length > 0, `${r.line}: no source and no note`);
      for (const s of r.sources) assert.ok(s in table.sources, `${r.line}: unknown source ${s}`);
      if (r.supported) assert.ok(r.status === 'confirmed' || (r.notes ?? '').length > 0, `${r.line}: ${r.status} without saying why`);
    }
    for (const f of table.functions) for (const s of f.sources) assert.ok(s in table.sources, `${f.name}: unknown source ${s}`);
  });

  it('native/symbols.h resolves exactly the functions native/ov_c_api.h declares, in order', () => {
    assert.equal(header.functions.length, 77);
    assert.deepEqual(
      parseSymbolTable(read('native', 'symbols.h')),
      header.functions.map((f) => f.name),
    );
  });

  it('every function native/ calls exists in every supported line, with upstream signature', () => {
    assert.deepEqual(
      supported.flatMap((r) => functionProblems(table, header, r.line)),
      [],
    );
    assert.deepEqual(signatureProblems(table, header), []);
    assert.deepEqual(
      table.functions.map((f) => f.name).sort(),
      header.functions.map((f) => f.name).sort(),
      'the table lists exactly native/ functions',
    );
  });

  it('the structs native/ passes have upstream fields, in order, and LP64 layout', () => {
    assert.deepEqual(structProblems(table, header), []);
    assert.equal(table.structs.length, 8);
  });

  it('the property keys native/ declares are upstream ones, with the same strings', () => {
    const facts = new Map(table.propertyKeys.map((k) => [k.name, k.value]));
    assert.equal(header.propertyKeys.length, 17);
    for (const key of header.propertyKeys) {
      assert.ok(facts.has(key.name), `${key.name} is not in the ABI table`);
      if (key.value !== undefined) assert.equal(key.value, facts.get(key.name), key.name);
    }
  });

  it('native/element_types.cc numbers every element type of every supported line as upstream does', () => {
    const names = parseElementNames(read('native', 'element_types.cc'));
    assert.deepEqual(
      supported.flatMap((r) => elementProblems(table, names, r)),
      [],
    );
  });

  it('lib/runtime/version.ts accepts exactly the lines the table marks supported', () => {
    for (const r of table.releases) {
      assert.equal(isSupported(parseBuildNumber(`${r.line}.0`)), r.supported, `${r.line} supported=${r.supported}`);
    }
  });

  it("lib/runtime/version.ts refuses the line after the table's last and the next major", () => {
    const last = table.releases[table.releases.length - 1]!.line.split('.').map(Number);
    assert.equal(isSupported(parseBuildNumber(`${last[0]}.${last[1]! + 1}.0`)), false);
    assert.equal(isSupported(parseBuildNumber(`${last[0]! + 1}.0.0`)), false);
  });

  describe('loading the stand-in configured as each line (the addon picks the numbering)', () => {
    const loads = new Map<string, Promise<LoadResult>>();
    before(() => {
      // Four children at a time: each loads the addon and the stand-in once.
      const chain: Array<Promise<unknown>> = [];
      for (const r of table.releases) {
        const previous = chain.length >= 4 ? chain.shift() : undefined;
        const load = (previous ?? Promise.resolve()).then(() => loadAs(r.line));
        loads.set(r.line, load);
        chain.push(load.catch(() => undefined));
      }
    });
    for (const r of loadAbiTable(ROOT).releases) {
      it(`${r.line}: ${r.supported ? `loads with the ${r.numbering} numbering` : 'is refused at load'}`, async () => {
        const result = await loads.get(r.line)!;
        if (r.supported) assert.equal(result.numbering, r.numbering, JSON.stringify(result));
        else assert.equal(result.refused?.code, 'OVCACHE_RUNTIME_UNSUPPORTED_VERSION', JSON.stringify(result));
      });
    }
  });
});

describe('ABI table checks bite (a doctored table or header must be reported)', () => {
  const table = loadAbiTable(ROOT);
  const header = parseHeader(read('native', 'ov_c_api.h'));

  it('a function native/ calls that a supported line lacks is named', () => {
    const doctored: AbiTable = structuredClone(table);
    const fn = doctored.functions.find((f) => f.name === 'ov_get_last_err_msg')!;
    fn.since = '2025.0';
    assert.deepEqual(functionProblems(doctored, header, '2024.6'), [
      'ov_get_last_err_msg: native/ calls it, but it exists only from 2025.0, not in 2024.6',
    ]);
    assert.deepEqual(functionProblems(doctored, header, '2025.0'), []);
    fn.since = '2024.2';
    fn.removedIn = '2026.0';
    assert.match(functionProblems(doctored, header, '2026.1').join('\n'), /ov_get_last_err_msg: .* removed in 2026\.0/);
  });

  it('a changed parameter list or struct field is named', () => {
    const doctored: CHeader = structuredClone(header);
    doctored.functions.find((f) => f.name === 'ov_core_import_model')!.params[2] = 'int';
    assert.deepEqual(signatureProblems(table, doctored), [
      'ov_core_import_model: native/ declares ov_status_e (const ov_core_t*, const char*, int, const char*, ov_compiled_model_t**), ' +
        'upstream has ov_status_e (const ov_core_t*, const char*, size_t, const char*, ov_compiled_model_t**)',
    ]);
    doctored.structs.find((s) => s.name === 'ov_partial_shape_t')!.fields.reverse();
    assert.match(
      structProblems(table, doctored).join('\n'),
      /ov_partial_shape_t: native\/ has \{ ov_dimension_t\* dims; ov_rank_t rank \}/,
    );
  });

  it('an element list shifted by one is named for the lines it breaks', () => {
    const names = parseElementNames(read('native', 'element_types.cc'));
    const shifted = names.filter((n) => n !== 'bf16');
    const line = table.releases.find((r) => r.line === '2024.6')!;
    assert.match(elementProblems(table, shifted, line).join('\n'), /2024\.6: f16 is 4 upstream \(legacy\), native\/ maps it to 3/);
  });
});
