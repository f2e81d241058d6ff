// Real servers for the fleet tests, on loopback, started and stopped by the tests: an
// S3-compatible server (s3rver, in a child process) and redis-server. A missing redis-server
// skips the test with the reason, and fails it when CI=true.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { S3TierOptions } from '../../lib/fleet/s3-tier';
import { RedisServer } from '../helpers/redis-server';

export { freePort, requireRedis, RedisServer } from '../helpers/redis-server';

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const BUCKET = 'ovcache-fleet';

export interface RunningServer {
  port: number;
  /** Stops the server (SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: ${err}${out}`)));
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
}

export interface S3Server extends RunningServer {
  endpoint: string;
  /** SIGSTOP / SIGCONT: a server that accepts connections and never answers. */
  pause(): void;
  resume(): void;
  directory: string;
  tier(extra?: { prefix?: string; readOnly?: boolean }): S3TierOptions;
}

/** s3rver on a free loopback port, storing into `directory`; `port` restarts one on the same port. */
export async function startS3(directory: string, port?: number): Promise<S3Server> {
  fs.mkdirSync(directory, { recursive: true });
  const script = path.join(__dirname, 'fixtures', 's3-server.js');
  const child = spawn(process.execPath, [script, directory, BUCKET, String(port ?? 0)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await waitForLine(child, /PORT:(\d+)\n/, 's3rver');
  const bound = Number(m[1]);
  const endpoint = `http://127.0.0.1:${bound}`;
  return {
    port: bound,
    endpoint,
    directory,
    stop: stopper(child),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    tier: (extra = {}) => ({
      s3: { bucket: BUCKET, endpoint, region: 'us-east-1', credentials: S3_CREDENTIALS, ...(extra.prefix ? { prefix: extra.prefix } : {}) },
      ...(extra.readOnly ? { readOnly: true } : {}),
    }),
  };
}

/** redis-server for the fleet tests: the same throwaway server as the result-cache tests'. */
export function startRedis(): Promise<RedisServer> {
  return RedisServer.start();
}

/** Files s3rver stores for objects whose key contains `part` (its own layout: <dir>/<bucket>/<key>._S3rver_object). */
export function storedObjects(directory: string, part: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const item of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, item.name);
      if (item.isDirectory()) walk(full);
      else if (item.name.endsWith('._S3rver_object') && full.includes(part)) out.push(full);
    }
  };
  if (fs.existsSync(directory)) walk(directory);
  return out.sort();
}
