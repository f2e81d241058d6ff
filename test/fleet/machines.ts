// "Machines" for the fleet tests: each is a local cache folder of its own; each process on it
// is a fleet-child run. They share only the tiers (and the stand-in's log, to count compiles).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TierEvent, FleetStats } from '../../lib/fleet/fleet';
import { STAND_IN } from '../helpers/paths';

const CHILD = path.join(__dirname, 'fixtures', 'fleet-child.js');

export interface MachineResult {
  pid: number;
  results: Array<{ key: string | null; hit: boolean; cached: boolean; tier: string | null; entryDir: string | null }>;
  events: TierEvent[];
  stats: FleetStats;
}

function spawnChild(job: Record<string, unknown>, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CHILD, JSON.stringify({ libraryPath: STAND_IN, ...job })], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runMachine(
  job: Record<string, unknown>,
  env: Record<string, string> = {},
  on: { leaseWaiting?: () => void } = {},
): Promise<MachineResult> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(job, env);
    let out = '';
    let err = '';
    let waitingSeen = false;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!waitingSeen && out.includes('LEASE-WAITING\n')) {
        waitingSeen = true;
        on.leaseWaiting?.();
      }
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as MachineResult);
      else reject(new Error(`fleet child exited with ${code}: ${err}${out}`));
    });
  });
}

/** Starts a child whose publishes hang before the manifest; resolves once its files are uploaded. */
export function startHangingPublisher(job: Record<string, unknown>, env: Record<string, string> = {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawnChild({ ...job, hangBeforeManifest: true, publish: 'sync' }, env);
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('FILES-UPLOADED\n')) resolve(child);
    });
    child.on('close', (code) => reject(new Error(`hanging publisher exited with ${code}: ${err}${out}`)));
  });
}
