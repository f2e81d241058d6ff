// The dashboard's HTTP server (node:http, no framework): the page, its script and styles, the
// uPlot chart library from node_modules, and /api/state. Loopback by default; on a loopback
// address, requests naming another Host are refused (a web page elsewhere cannot read the
// dashboard through DNS rebinding).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OvcacheError } from '../errors';
import { logger } from '../log';
import { dashboardState, type DashboardState, type RuntimeFacts } from './state';

const log = logger('dashboard');

export interface DashboardOptions {
  dir: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How often the page polls /api/state. Default 5000. */
  refreshMs?: number;
  maxBytes?: number;
  /** The result store's folder. Default <dir>/results. */
  resultsDir?: string;
  runtime: RuntimeFacts;
}

export interface Dashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATIC = path.join(__dirname, 'static');
const UPLOT = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(STATIC, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: path.join(STATIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: path.join(STATIC, 'app.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: path.join(UPLOT, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: path.join(UPLOT, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const host = o.host ?? '127.0.0.1';
  const refreshMs = o.refreshMs ?? 5000;
  let cached: { at: number; state: Promise<DashboardState> } | null = null;
  /** One scan per half refresh at most, however many tabs poll. */
  const state = (): Promise<DashboardState> => {
    const now = Date.now();
    if (!cached || now - cached.at >= Math.min(1000, refreshMs / 2)) {
      cached = {
        at: now,
        state: dashboardState(o.dir, {
          refreshMs,
          runtime: o.runtime,
          ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
          ...(o.resultsDir !== undefined ? { resultsDir: o.resultsDir } : {}),
        }),
      };
      cached.state.catch(() => (cached = null));
    }
    return cached.state;
  };
  let allowedHosts: Set<string> | null = null;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (allowedHosts && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, HEADERS).end('Forbidden: unexpected Host header');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/api/state') {
      state().then(
        (s) => res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(s)),
        (error: Error) => {
          log('state failed: %s', error.message);
          res.writeHead(500, { ...HEADERS, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: error.message }));
        },
      );
      return;
    }
    const asset = FILES[url.pathname];
    if (!asset) {
      res.writeHead(404, HEADERS).end('Not found');
      return;
    }
    fs.readFile(asset.file, (error, body) => {
      if (error) res.writeHead(500, HEADERS).end(error.message);
      else
        res
          .writeHead(200, { ...HEADERS, 'Content-Type': asset.type, 'Cache-Control': 'no-cache' })
          .end(req.method === 'HEAD' ? undefined : body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new OvcacheError(
              'OVCACHE_INVALID_ARGUMENT',
              `Port ${o.port} on ${host} is in use: choose another with --port (0 picks a free one)`,
            )
          : error,
      );
    });
    server.listen(o.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  if (isLoopback(host)) allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${shown}:${port}`]);
  return {
    url: `http://${shown}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
