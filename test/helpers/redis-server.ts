// A throwaway redis-server for tests: loopback only, a free port, no persistence, its own
// temporary folder. Without the binary a test skips with the reason, or fails when CI=true.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Context } from 'mocha';
import { makeTempDir, removeDir } from './paths';

export const REDIS_BINARY = 'redis-server';

export function hasRedisServer(): boolean {
  return spawnSync(REDIS_BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Skips the suite or test without redis-server; under CI=true its absence fails instead. */
export function requireRedis(context: Context): void {
  if (hasRedisServer()) return;
  const reason = `${REDIS_BINARY} is not on PATH (apt-get install redis-server; scripts/ensure-system-tools.sh)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.log(`      skipped: ${reason}`);
  context.skip();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = makeTempDir('ovcache-redis-');

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()));
    await server.restart();
    return server;
  }

  /** Starts (again) on the same port; resolves once it accepts connections. */
  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    const child = spawn(REDIS_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${log}`)), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${log}`));
      });
    });
    child.stdout.removeAllListeners('data');
    child.stdout.resume();
    child.stderr.resume();
  }

  /** SIGSTOP: the server keeps its connections open and answers nothing (a frozen host). */
  pause(): void {
    if (this.process?.pid) process.kill(this.process.pid, 'SIGSTOP');
  }

  /** SIGCONT: a paused server answers again. */
  resume(): void {
    if (this.process?.pid) process.kill(this.process.pid, 'SIGCONT');
  }

  /** SIGKILL: the server vanishes as in a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    if (fs.existsSync(this.dir)) removeDir(path.resolve(this.dir));
  }
}
