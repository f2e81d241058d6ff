// `ovcache dashboard` over HTTP: what /api/state says about a cache with known content, and
// what the server refuses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { loadOpenVINO, scanCache, type Core, type OpenVINO } from '../../lib/index';
import type { DashboardState } from '../../lib/dashboard/state';
import { bucketFor } from '../../lib/dashboard/state';
import { startDashboard } from '../../lib/dashboard/server';
import { runDoctor } from '../../lib/cli/commands/doctor';
import { expectCode } from '../cache/helpers';
import { makeTempDir, removeDir, ROOT, STAND_IN } from '../helpers/paths';
import { makeKnownCache, MAX_BYTES, startCliDashboard, type CliDashboard, type KnownCache } from './known-cache';

function request(
  url: string,
  options: http.RequestOptions = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .request(url, options, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject)
      .end();
  });
}

describe('ovcache dashboard: the server', function () {
  this.timeout(60_000);
  let ov: OpenVINO;
  let core: Core;
  let tmp: string;
  let known: KnownCache;
  let dashboard: CliDashboard;

  before(async () => {
    ov = await loadOpenVINO({ libraryPath: STAND_IN });
    core = ov.createCore();
    tmp = makeTempDir('ovcache-dashboard-');
    known = await makeKnownCache(tmp, core);
    dashboard = await startCliDashboard(['--dir', known.dir, '--library', STAND_IN, '--refresh', '500ms']);
  });
  after(async () => {
    await dashboard?.stop();
    await known?.history.close();
    await known?.cache.dispose();
    core?.dispose();
    if (tmp) removeDir(tmp);
  });

  it('listens on 127.0.0.1 and serves the state of the cache', async () => {
    assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await request(`${dashboard.url}api/state`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const s = JSON.parse(res.body) as DashboardState;
    const scan = await scanCache(known.dir, { checkModels: false });
    assert.equal(s.dir, known.dir);
    assert.equal(s.refreshMs, 500);
    assert.deepEqual(
      [s.usage.entries, s.usage.bytes, s.usage.maxBytes, s.usage.maxBytesSource],
      [4, scan.totals.bytes, MAX_BYTES, 'history'],
    );
    assert.deepEqual(
      s.models.map((m) => [m.model, m.entries.length]),
      [
        ['unet', 3],
        ['mlp', 1],
      ],
    );
    assert.deepEqual(s.models[0]!.entries.map((e) => e.shapes).sort(), ['image=[1,3,32,32]', 'image=[1,3,48,48]', 'image=[1,3,64,64]']);
    assert.equal(s.largest[0]!.bytes, Math.max(...scan.entries.map((e) => e.bytes)));
    assert.deepEqual(
      s.stalest.map((e) => e.name),
      [...scan.entries].sort((a, b) => a.lastUsedMs - b.lastUsedMs).map((e) => e.name),
      'least recently used first',
    );
    assert.deepEqual(
      s.evictions.map((e) => [e.name, e.reason]),
      [[known.evicted, 'per-model']],
    );
    assert.deepEqual(s.history.totals.hits, 2);
    assert.deepEqual([s.history.totals.misses, s.history.totals.uncached, s.history.totals.hitRate], [5, 1, 2 / 8]);
    assert.equal(s.history.processes, 1);
    assert.equal(s.history.usage.at(-1)![1], scan.totals.bytes, 'the scan of now ends the usage series');
    assert.deepEqual([s.runtime.found, s.runtime.standIn, s.runtime.library], [true, true, STAND_IN]);
  });

  it('serves the page, its script and uPlot from node_modules, with a content security policy', async () => {
    const page = await request(dashboard.url);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.match(page.body, /<script src="\/vendor\/uPlot\.iife\.min\.js">/);
    const uplot = await request(`${dashboard.url}vendor/uPlot.iife.min.js`);
    assert.equal(uplot.status, 200);
    assert.match(uplot.headers['content-type'] ?? '', /^text\/javascript/);
    assert.ok(uplot.body.includes('uPlot'));
    assert.equal((await request(`${dashboard.url}app.js`)).status, 200);
  });

  it('refuses other methods, unknown paths and a foreign Host header', async () => {
    assert.equal((await request(`${dashboard.url}api/state`, { method: 'POST' })).status, 405);
    assert.equal((await request(`${dashboard.url}../../etc/passwd`)).status, 404);
    assert.equal((await request(`${dashboard.url}static/app.js`)).status, 404);
    const rebinding = await request(`${dashboard.url}api/state`, { headers: { Host: 'attacker.example:80' } });
    assert.equal(rebinding.status, 403);
    const localhost = await request(`${dashboard.url}api/state`, { headers: { Host: `localhost:${new URL(dashboard.url).port}` } });
    assert.equal(localhost.status, 200);
  });

  it('rejects a bad --port or --refresh as a usage error (exit 2)', () => {
    const cli = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
    for (const args of [
      ['--port', '70000'],
      ['--port', 'http'],
      ['--refresh', '10ms'],
    ]) {
      const r = spawnSync(process.execPath, [cli, 'dashboard', '--dir', known.dir, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(args[0] as string));
    }
  });

  it('says so when the port is in use, and listens on another address only when told', async () => {
    const runtime = runDoctor({ library: STAND_IN });
    const port = Number(new URL(dashboard.url).port);
    await expectCode(
      startDashboard({ dir: known.dir, port, runtime }),
      'OVCACHE_INVALID_ARGUMENT',
      new RegExp(`Port ${port} on 127.0.0.1 is in use`),
    );
    const other = await startDashboard({ dir: known.dir, host: '127.0.0.2', runtime });
    try {
      assert.match(other.url, /^http:\/\/127\.0\.0\.2:\d+\/$/);
      assert.equal((await request(`${other.url}api/state`)).status, 200);
    } finally {
      await other.close();
    }
  });

  it('buckets the history so that its span fits in at most 120 bars', () => {
    assert.equal(bucketFor(30_000), 60_000);
    assert.equal(bucketFor(3 * 3_600_000), 300_000);
    assert.equal(bucketFor(7 * 24 * 3_600_000), 6 * 3_600_000);
  });
});
