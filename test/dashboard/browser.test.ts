// The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// browser is downloaded): the figures of a cache with known content, charts drawn, and the
// page updating after a new compile. Without Chromium this is skipped with the reason; with
// CI=true a missing browser fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { formatBytes } from '../../lib/format/units';
import { loadOpenVINO, scanCache, type Core, type OpenVINO } from '../../lib/index';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { makeKnownCache, MAX_BYTES, startCliDashboard, type CliDashboard, type KnownCache } from './known-cache';

const CHROMIUM = process.env.OVCACHE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(ROOT, 'docs', 'images', 'dashboard.png');

// The page is read in the browser through these shapes (the project compiles without the DOM lib).
interface NodeLike {
  textContent: string | null;
  querySelector(selector: string): NodeLike | null;
  querySelectorAll(selector: string): ArrayLike<NodeLike>;
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface PageView {
  text: Record<string, string>;
  updates: number;
  models: Array<{ name: string; segments: string[] }>;
  largest: string[][];
  evictions: string[][];
}

/** What a person reads on the page: the figures, the model rows, the tables. */
function readPage(page: Page): Promise<PageView> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: NodeLike & { body: { dataset: Record<string, string> } } }).document;
    const all = (root: NodeLike, selector: string) => Array.from(root.querySelectorAll(selector));
    const text = (n: NodeLike | null) => (n?.textContent ?? '').trim();
    const rows = (id: string) => all(doc, `#${id} tbody tr`).map((tr) => all(tr, 'td').map(text));
    const ids = ['entries', 'used', 'used-note', 'hit-rate', 'hit-note', 'budget-label', 'runtime'];
    return {
      text: Object.fromEntries(ids.map((id) => [id, text(doc.querySelector(`#${id}`))])),
      updates: Number(doc.body.dataset.updates ?? 0),
      models: all(doc, '#models .model').map((m) => ({ name: text(m.querySelector('b')), segments: all(m, '.stack > div').map(text) })),
      largest: rows('largest'),
      evictions: rows('evictions'),
    };
  });
}

/** Pixels of a canvas close to a colour: proof that a series was drawn, not only the axes. */
function pixelsOf(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(
    ([sel, [r, g, b]]) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): CanvasLike | null } }).document;
      const c = doc.querySelector(sel);
      if (!c) return 0;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) < 24 && Math.abs(data[i + 1]! - g) < 24 && Math.abs(data[i + 2]! - b) < 24 && data[i + 3]! > 200) n++;
      }
      return n;
    },
    [selector, rgb] as const,
  );
}

describe('ovcache dashboard in headless Chromium', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let known: KnownCache;
  let dashboard: CliDashboard;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      const why = `${CHROMIUM} is missing (apt-get install chromium, or scripts/ensure-system-tools.sh)`;
      if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    core = ov.createCore();
    tmp = makeTempDir('ovcache-dashboard-browser-');
    known = await makeKnownCache(tmp, core);
    dashboard = await startCliDashboard(['--dir', known.dir, '--library', STAND_IN, '--refresh', '300ms']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboard.url);
    await page.waitForSelector('body[data-updates]');
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    await known?.history.close();
    await known?.cache.dispose();
    core?.dispose();
    if (tmp) removeDir(tmp);
  });

  it('shows the figures of the cache', async () => {
    const scan = await scanCache(known.dir, { checkModels: false });
    const view = await readPage(page);
    const t = view.text;
    assert.equal(t.entries, '4');
    assert.equal(t.used, formatBytes(scan.totals.bytes));
    assert.equal(t['used-note'], `of ${formatBytes(MAX_BYTES)} budget (${((scan.totals.bytes / MAX_BYTES) * 100).toFixed(0)}%)`);
    assert.equal(t['hit-rate'], '25%');
    assert.equal(t['hit-note'], '2 hits, 5 misses, 1 uncached (history)');
    assert.ok(t['budget-label']!.startsWith(`${formatBytes(scan.totals.bytes)} of ${formatBytes(MAX_BYTES)}`), t['budget-label']);
    assert.match(t.runtime!, /test stand-in/);
    // Entries by model: the unet's three resolutions as three segments, largest model first.
    assert.deepEqual(
      view.models.map((m) => m.name),
      ['unet', 'mlp'],
    );
    assert.deepEqual([...view.models[0]!.segments].sort(), ['[1,3,32,32]', '[1,3,48,48]', '[1,3,64,64]']);
    // Tables: the largest entry first, the eviction listed with its rule.
    assert.equal(view.largest.length, 4);
    assert.equal(view.largest[0]![3], formatBytes(Math.max(...scan.entries.map((e) => e.bytes))));
    assert.deepEqual(
      view.evictions.map((e) => [e[1], e[2]]),
      [['unet', 'per-model']],
    );
  });

  it('draws the charts: the size line and the hit and miss bars', async () => {
    const drawn = {
      size: await pixelsOf(page, '#usage-chart canvas', [0x3a, 0x6f, 0xd8]),
      hits: await pixelsOf(page, '#hits-chart canvas', [0x2f, 0x9e, 0x5b]),
      misses: await pixelsOf(page, '#hits-chart canvas', [0xe0, 0x86, 0x3a]),
    };
    console.log(`      pixels drawn: ${JSON.stringify(drawn)}`);
    assert.ok(drawn.size > 40, 'the cache size series (line and points)');
    assert.ok(drawn.hits > 40, 'hit bars');
    assert.ok(drawn.misses > 40, 'miss bars');
  });

  it('updates after a new compile, without a reload', async () => {
    const before = (await readPage(page)).updates;
    (await known.cache.compile(known.image, { device: 'CPU', shapes: { image: [1, 3, 96, 96] } })).compiled.dispose();
    await known.cache.flush();
    await known.history.flush();
    // The page shows the new entry (a scan) and the history's new interval (a record).
    let view = await readPage(page);
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; view = await readPage(page)) {
      const shown = view.models[0]?.segments.includes('[1,3,96,96]') ?? false;
      // All three come from polls of the page: wait until one poll shows them all.
      if (view.text.entries === '5' && view.text['hit-note']!.includes('6 misses') && shown) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(view.text.entries, '5');
    assert.equal(view.text['hit-note'], '2 hits, 6 misses, 1 uncached (history)');
    assert.ok(view.updates > before);
    assert.ok(view.models[0]!.segments.includes('[1,3,96,96]'), view.models[0]!.segments.join(' '));
  });

  it('takes a screenshot of the page (docs/images/dashboard.png with OVCACHE_UPDATE_SCREENSHOT=1)', async () => {
    const file = process.env.OVCACHE_UPDATE_SCREENSHOT === '1' ? SCREENSHOT : path.join(tmp, 'dashboard.png');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
    const png = fs.readFileSync(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.length > 20_000, `${png.length} bytes`);
  });
});
