import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatAgo, formatBytes, formatDuration, parseDuration, parseSize } from '../../lib/format/units';
import { formatTable } from '../../lib/format/table';
import { OvcacheError } from '../../lib/errors';

describe('sizes and durations', () => {
  const sizes: Array<[unknown, number]> = [
    [0, 0],
    [4096, 4096],
    ['4096', 4096],
    ['20GB', 20e9],
    ['20 gb', 20e9],
    ['512 MiB', 512 * 2 ** 20],
    ['1.5g', 1.5e9],
    ['2TiB', 2 * 2 ** 40],
    ['10k', 10_000],
  ];
  for (const [input, bytes] of sizes) {
    it(`parses size ${JSON.stringify(input)} as ${bytes}`, () => assert.equal(parseSize(input), bytes));
  }

  const badSizes: unknown[] = ['', 'GB', '-1GB', '12 parsecs', '1e3', NaN, -5, Infinity, null, {}, '20 G B'];
  for (const input of badSizes) {
    it(`rejects size ${String(JSON.stringify(input))} with OVCACHE_BAD_SIZE`, () => {
      assert.throws(
        () => parseSize(input, 'maxBytes'),
        (e: unknown) => e instanceof OvcacheError && e.code === 'OVCACHE_BAD_SIZE' && /for maxBytes but received/.test(e.message),
      );
    });
  }

  const durations: Array<[unknown, number]> = [
    [250, 250],
    ['90s', 90_000],
    ['30 min', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1.5s', 1500],
  ];
  for (const [input, ms] of durations) {
    it(`parses duration ${JSON.stringify(input)} as ${ms} ms`, () => assert.equal(parseDuration(input), ms));
  }
  for (const input of ['7 days ago', 'd', '-3h', '', 'soon', null]) {
    it(`rejects duration ${JSON.stringify(input)} with OVCACHE_BAD_DURATION`, () => {
      assert.throws(
        () => parseDuration(input, 'maxAge'),
        (e: unknown) => e instanceof OvcacheError && e.code === 'OVCACHE_BAD_DURATION',
      );
    });
  }

  it('parses any non-negative integer with any size unit (property)', () => {
    const units: Array<[string, number]> = [
      ['', 1],
      ['kb', 1e3],
      ['MiB', 2 ** 20],
      ['GB', 1e9],
      [' gib', 2 ** 30],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...units), (n, [unit, factor]) => {
        assert.equal(parseSize(`${n}${unit}`), Math.floor(n * factor));
      }),
    );
  });

  it('never throws anything but OVCACHE_BAD_SIZE / BAD_DURATION on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.anything()), (input) => {
        for (const [parse, code] of [
          [parseSize, 'OVCACHE_BAD_SIZE'],
          [parseDuration, 'OVCACHE_BAD_DURATION'],
        ] as const) {
          try {
            const value = parse(input);
            assert.ok(Number.isFinite(value) && value >= 0);
          } catch (error) {
            assert.ok(error instanceof OvcacheError && error.code === code, String(error));
          }
        }
      }),
    );
  });

  it('formats bytes, durations and ages for people', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(7.3 * 2 ** 30), '7.3 GiB');
    assert.equal(formatBytes(65 * 2 ** 30), '65.0 GiB');
    assert.equal(formatBytes(650 * 2 ** 30), '650 GiB');
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(2400), '2.4 s');
    // at the unit boundaries, the next unit: never "1000 ms", "60.0 s", "60.0 min" or "24.0 h"
    assert.equal(formatDuration(999.6), '1.0 s');
    assert.equal(formatDuration(9.996), '10 ms');
    assert.equal(formatDuration(59_999), '1.0 min');
    assert.equal(formatDuration(3_599_999), '1.0 h');
    assert.equal(formatDuration(86_399_999), '1.0 d');
    const now = 1_700_000_000_000;
    assert.equal(formatAgo(undefined, now), 'never');
    assert.equal(formatAgo(now - 5_000, now), 'just now');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
    assert.equal(formatAgo(now - 3 * 86_400_000, now), '3 d ago');
  });

  it('aligns tables: numbers right, text left', () => {
    const text = formatTable(
      ['model', 'hits'],
      [
        ['mlp', 3],
        ['image-long-name', 120],
      ],
    );
    assert.equal(text, ['model            hits', '---------------  ----', 'mlp                 3', 'image-long-name   120'].join('\n'));
  });
});
