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

interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Pixels of a canvas close to a colour: proof that a series was drawn, not only the axes. */
async function pixelsOf(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(
    selector,
    (canvas, [r, g, b]) => {
      const c = canvas as unknown as CanvasLike;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) < 24 && Math.abs(data[i + 1]! - g) < 24 && Math.abs(data[i + 2]! - b) < 24 && data[i + 3]! > 200) n++;
      }
      return n;
    },
    rgb,
  );
}

const textOf = (page: Page, selector: string) => page.$eval(selector, (e) => (e.textContent ?? '').trim());

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
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
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
    assert.equal(await textOf(page, '#entries'), '4');
    assert.equal(await textOf(page, '#used'), formatBytes(scan.totals.bytes));
    assert.match(await textOf(page, '#used-note'), new RegExp(`of ${formatBytes(MAX_BYTES).replace('.', '\\.')} budget`));
    assert.equal(await textOf(page, '#hit-rate'), '25%');
    assert.equal(await textOf(page, '#hit-note'), '2 hits, 5 misses, 1 uncached (history)');
    assert.match(await textOf(page, '#budget-label'), new RegExp(`^${formatBytes(scan.totals.bytes).replace('.', '\\.')} of `));
    assert.match(await textOf(page, '#runtime'), /test stand-in/);
    // Entries by model: the unet's three resolutions as three segments, largest model first.
    const models = await page.$$eval('#models .model', (rows) =>
      rows.map((r) => ({ name: r.querySelector('b')?.textContent, segments: [...r.querySelectorAll('.stack > div')].map((d) => d.textContent) })),
    );
    assert.deepEqual(models.map((m) => m.name), ['unet', 'mlp']);
    assert.deepEqual([...models[0]!.segments].sort(), ['[1,3,32,32]', '[1,3,48,48]', '[1,3,64,64]']);
    // Tables: the largest entry first, the eviction listed with its rule.
    const largest = await page.$$eval('#largest tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    assert.equal(largest.length, 4);
    assert.equal(largest[0]![3], formatBytes(Math.max(...scan.entries.map((e) => e.bytes))));
    const evictions = await page.$$eval('#evictions tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(evictions.map((e) => [e[1], e[2]]), [['unet', 'per-model']]);
  });

  it('draws the charts: the size line and the hit and miss bars', async () => {
    assert.ok((await pixelsOf(page, '#usage-chart canvas', [0x3a, 0x6f, 0xd8])) > 50, 'the cache size series');
    assert.ok((await pixelsOf(page, '#hits-chart canvas', [0x2f, 0x9e, 0x5b])) > 50, 'hit bars');
    assert.ok((await pixelsOf(page, '#hits-chart canvas', [0xe0, 0x86, 0x3a])) > 50, 'miss bars');
  });

  it('updates after a new compile, without a reload', async () => {
    const before = Number(await page.$eval('body', (b) => b.dataset.updates));
    (await known.cache.compile(known.image, { device: 'CPU', shapes: { image: [1, 3, 96, 96] } })).compiled.dispose();
    await known.cache.flush();
    await known.history.flush();
    // The page shows the new entry (a scan) and the history's new interval (a record).
    const shown = () => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document;
      return doc.getElementById('entries')?.textContent === '5' && (doc.getElementById('hit-note')?.textContent ?? '').includes('6 misses');
    };
    await page.waitForFunction(shown, undefined, { timeout: 15_000 });
    assert.ok(Number(await page.$eval('body', (b) => b.dataset.updates)) > before);
    assert.equal(await textOf(page, '#hit-note'), '2 hits, 6 misses, 1 uncached (history)');
    const segments = await page.$$eval('#models .model:first-child .stack > div', (d) => d.map((x) => x.textContent));
    assert.ok(segments.includes('[1,3,96,96]'), segments.join(' '));
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
