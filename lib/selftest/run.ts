// `ovcache selftest`: runs every self-test case (cases.ts) on every device the found runtime
// lists, against models written into a fresh temporary folder, and returns a report to paste
// into an issue. Nothing here depends on files outside the installed package.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOpenVINO, type OpenVINO } from '../openvino/openvino';
import { PACKAGE_ROOT } from '../runtime/binding';
import { isSupported } from '../runtime/version';
import { SelftestSkip, type CaseDetails, type SelftestCase } from './case';
import { SELFTEST_CASES } from './cases';
import { writeAll } from './fixture-models';
import { OvcacheError } from '../errors';
import { errnoCode } from '../fs/errno';

export interface SelftestOptions {
  /** The libopenvino_c library or its folder; searched for as loadOpenVINO() does when absent. */
  library?: string;
  /** Only these devices (default: every device the runtime lists). */
  devices?: string[];
  /** The cases to run (default: SELFTEST_CASES). */
  cases?: readonly SelftestCase[];
  /** Called after each case, e.g. to print progress. */
  onResult?: (result: CaseResult) => void;
  /** Milliseconds, for the timings (default: performance.now). */
  now?: () => number;
}

export interface CaseResult {
  device: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
  ms: number;
  /** Why it failed (the error) or was skipped. */
  reason?: string;
  details?: CaseDetails;
}

export interface SelftestReport {
  /** True only when every case ran and passed on every device (no failure, no skip). */
  ok: boolean;
  ovcache: string;
  node: string;
  os: string;
  runtime?: {
    buildNumber: string;
    description: string;
    libraryPath: string;
    foundVia: string;
    standIn: boolean;
    supported: boolean;
    elementNumbering: string;
  };
  devices: Array<{ name: string; fullName: string; canCache: boolean; error?: string }>;
  results: CaseResult[];
  summary: { passed: number; failed: number; skipped: number; total: number; ms: number };
  /** Set when no runtime could be loaded (with its error code), or it lists no device. */
  error?: { code?: string; message: string };
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function summarize(results: CaseResult[], ms: number): SelftestReport['summary'] {
  const count = (status: CaseResult['status']): number => results.filter((r) => r.status === status).length;
  return { passed: count('pass'), failed: count('fail'), skipped: count('skip'), total: results.length, ms: Math.round(ms) };
}

function listDevices(ov: OpenVINO, only: string[] | undefined): SelftestReport['devices'] {
  using core = ov.createCore();
  const names = only ?? core.availableDevices();
  return names.map((name) => {
    try {
      const info = core.deviceInfo(name);
      return { name, fullName: info.fullName, canCache: info.canCache };
    } catch (error) {
      return { name, fullName: '', canCache: false, error: (error as Error).message };
    }
  });
}

async function runCase(
  c: SelftestCase,
  ctx: Parameters<SelftestCase['run']>[0],
  now: () => number,
): Promise<Omit<CaseResult, 'device' | 'name'>> {
  const start = now();
  try {
    const details = await c.run(ctx);
    return { status: 'pass', ms: Math.round(now() - start), ...(details ? { details } : {}) };
  } catch (error) {
    const ms = Math.round(now() - start);
    if (error instanceof SelftestSkip) return { status: 'skip', ms, reason: error.reason };
    const e = error as { code?: string; message?: string };
    return { status: 'fail', ms, reason: `${e.code ? `[${e.code}] ` : ''}${e.message ?? String(error)}` };
  }
}

/** The selftest's scratch folder in the temp folder; a coded error naming TMPDIR when it cannot be made. */
function makeScratchDir(): string {
  const base = os.tmpdir();
  try {
    return fs.mkdtempSync(path.join(base, 'ovcache-selftest-'));
  } catch (error) {
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      `Cannot make the selftest's scratch folder in ${base} (${errnoCode(error) ?? (error as Error).message}): set TMPDIR to an existing writable folder.`,
      { cause: error },
    );
  }
}

export async function runSelftest(options: SelftestOptions = {}): Promise<SelftestReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const base = { ovcache: packageVersion(), node: process.version, os: `${os.platform()} ${os.release()} ${os.arch()}` };
  let ov: OpenVINO;
  try {
    ov = await loadOpenVINO(options.library !== undefined ? { libraryPath: options.library } : {});
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const failure = { code: e.code ?? 'UNKNOWN', message: e.message ?? String(error) };
    return { ok: false, ...base, devices: [], results: [], summary: summarize([], now() - started), error: failure };
  }
  const runtime = {
    buildNumber: ov.version.buildNumber,
    description: ov.version.description,
    libraryPath: ov.libraryPath,
    foundVia: ov.source,
    standIn: ov.isStandIn,
    supported: isSupported(ov.version),
    elementNumbering: ov.native.elementNumbering,
  };
  const devices = listDevices(ov, options.devices);
  const results: CaseResult[] = [];
  const tmp = makeScratchDir();
  try {
    const fixtures = path.join(tmp, 'fixtures');
    writeAll(fixtures);
    let n = 0;
    for (const device of devices) {
      for (const c of options.cases ?? SELFTEST_CASES) {
        const caseTmp = path.join(tmp, `case-${++n}`);
        fs.mkdirSync(caseTmp);
        const outcome: CaseResult = device.error
          ? { device: device.name, name: c.name, status: 'fail', ms: 0, reason: `the device did not answer: ${device.error}` }
          : { device: device.name, name: c.name, ...(await runCase(c, { ov, device: device.name, fixtures, tmp: caseTmp }, now)) };
        results.push(outcome);
        options.onResult?.(outcome);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
  const summary = summarize(results, now() - started);
  const error = devices.length === 0 ? { message: 'The runtime lists no device to test.' } : undefined;
  return {
    ok: !error && summary.failed === 0 && summary.skipped === 0,
    ...base,
    runtime,
    devices,
    results,
    summary,
    ...(error ? { error } : {}),
  };
}
