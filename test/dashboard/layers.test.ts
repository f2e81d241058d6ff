// The dashboard's three layers in headless Chromium, fed by real work: `ovcache warm` (the CLI,
// no attachHistory: the history is on by default), a ModelRegistry serving through a
// ResultCache (one miss, two hits) that records its state with recordRegistry(). Skipped
// without Chromium (fails with CI=true), as browser.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { formatBytes } from '../../lib/format/units';
import { loadOpenVINO, ModelCache, ModelRegistry, ResultCache, type Core, type OpenVINO } from '../../lib/index';
import { recordRegistry, type RegistryRecorder } from '../../lib/registry/state-recorder';
import { writeMlp } from '../../scripts/make-fixtures';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { startCliDashboard, type CliDashboard } from './known-cache';

const CHROMIUM = process.env.OVCACHE_CHROMIUM ?? '/usr/bin/chromium';
const IDS = [
  'hit-rate',
  'hit-note',
  'saved',
  'results-hit-rate',
  'results-hit-note',
  'results-entries',
  'results-bytes',
  'results-saved',
  'registry-note',
];

interface NodeLike {
  textContent: string | null;
  querySelector(selector: string): NodeLike | null;
  querySelectorAll(selector: string): ArrayLike<NodeLike>;
}

function readPage(page: Page): Promise<{ text: Record<string, string>; registry: string[][] }> {
  return page.evaluate((ids) => {
    const doc = (globalThis as unknown as { document: NodeLike }).document;
    const text = (n: NodeLike | null) => (n?.textContent ?? '').trim();
    return {
      text: Object.fromEntries(ids.map((id) => [id, text(doc.querySelector(`#${id}`))])),
      registry: Array.from(doc.querySelectorAll('#registry tbody tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map(text)),
    };
  }, IDS);
}

describe('ovcache dashboard: model cache, result cache and registry', function () {
  this.timeout(120_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let dir: string;
  let cache: ModelCache;
  let results: ResultCache;
  let registry: ModelRegistry;
  let recorder: RegistryRecorder;
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
    tmp = makeTempDir('ovcache-dashboard-layers-');
    dir = path.join(tmp, 'cache');
    const mlp = writeMlp(path.join(tmp, 'models')).xml;
    const manifest = path.join(tmp, 'warm.json');
    fs.writeFileSync(manifest, JSON.stringify({ models: [{ model: mlp }] }));
    // A 400 ms simulated compile: the hit's time saved (recorded compile - load) is positive however
    // slowly this machine loads the tiny blob (it was 0 ms once under load with the default 3 ms).
    const env = { ...process.env, OVCACHE_NO_HISTORY: '', OV_STUB_COMPILE_MS: '400' };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist', 'lib', 'cli', 'main.js'), ...args, '--dir', dir, '--library', STAND_IN], {
        encoding: 'utf8',
        env,
      });
    // A real warm in its own process: a miss, then (second run) a hit, with time saved.
    for (let n = 0; n < 2; n++) {
      const r = cli('warm', manifest);
      assert.equal(r.status, 0, r.stderr + r.stdout);
    }
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    core = ov.createCore();
    cache = new ModelCache({ core, dir });
    results = new ResultCache({ dir: path.join(dir, 'results') });
    registry = new ModelRegistry({ cache, resultCache: results });
    recorder = recordRegistry(registry, { dir });
    const input = { input: new Float32Array(16).fill(0.5) };
    for (let n = 0; n < 3; n++) await registry.infer(mlp, input, { device: 'CPU', params: { n: 1 } });
    await recorder.flush();
    dashboard = await startCliDashboard(['--dir', dir, '--library', STAND_IN, '--refresh', '300ms'], env);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    await page.goto(dashboard.url);
    await page.waitForSelector('body[data-updates]');
    if (process.env.OVCACHE_DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.OVCACHE_DASHBOARD_SCREENSHOT, fullPage: true });
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    await recorder?.close();
    await registry?.dispose();
    await results?.close();
    await cache?.dispose();
    core?.dispose();
    if (tmp) removeDir(tmp);
  });

  it('shows the model cache fed by `ovcache warm` without attachHistory(): a hit rate and time saved', async () => {
    const t = (await readPage(page)).text;
    assert.equal(t['hit-note'], '1 hits, 1 misses, 0 uncached (history)');
    assert.equal(t['hit-rate'], '50%');
    assert.notEqual(t.saved, '0 ms');
    assert.match(t.saved!, /^\d+(\.\d)? (ms|s)$/);
  });

  it('shows the result cache from its store: hit rate, entries, bytes, time saved', async () => {
    const s = results.stats();
    const t = (await readPage(page)).text;
    assert.equal(t['results-hit-rate'], '67%');
    assert.equal(t['results-hit-note'], '2 hits, 1 misses, 0 bypassed (every process)');
    assert.equal(t['results-entries'], '1');
    assert.equal(t['results-bytes'], formatBytes(s.bytes).replace(/\.0 /, ' ').replace('bytes', 'B'));
    assert.ok(s.bytes > 0);
    assert.notEqual(t['results-saved'], '');
  });

  it('shows the registry a serving process records: its loaded model, queue and waits', async () => {
    const view = await readPage(page);
    assert.match(view.text['registry-note']!, /^1 process\(es\), 1 model\(s\) loaded, 0 queued now; 3 inferences, waits avg /);
    assert.equal(view.registry.length, 1);
    const [row] = view.registry;
    assert.equal(row![0], String(process.pid));
    assert.match(row![1]!, /mlp/);
    assert.deepEqual(row!.slice(2, 5), ['CPU', '0', '0']);
  });

  it('drops a registry whose process closed its recorder', async () => {
    await recorder.close();
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: NodeLike }).document;
      return (doc.querySelector('#registry-note')?.textContent ?? '').startsWith('(no serving process');
    });
  });
});
