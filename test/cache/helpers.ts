// Helpers for the cache tests: folder snapshots, the stand-in's event log, small model files.
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../../lib/errors';

/** Every path under dir with its size and mtime: equal snapshots mean nothing was touched. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const s = fs.statSync(p, { bigint: true });
      out[path.relative(dir, p)] = s.isDirectory() ? `dir ${s.mtimeNs}` : `${s.size} ${s.mtimeNs}`;
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

export interface StubEvent {
  event: string;
  pid: number;
  [field: string]: unknown;
}

/** The stand-in's OV_STUB_LOG lines. */
export function readStubLog(file: string): StubEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StubEvent);
}

export function countEvents(file: string, event: string): number {
  return readStubLog(file).filter((e) => e.event === event).length;
}

export async function expectCode(
  promise: Promise<unknown> | (() => unknown),
  code: string,
  message?: string | RegExp,
): Promise<OvcacheError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (!(error instanceof OvcacheError)) throw new Error(`expected an OvcacheError, got ${String(error)}`, { cause: error });
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`, { cause: error });
    if (typeof message === 'string' && error.message !== message)
      throw new Error(`message was:\n${error.message}\nexpected:\n${message}`, { cause: error });
    if (message instanceof RegExp && !message.test(error.message))
      throw new Error(`message ${error.message} does not match ${String(message)}`, { cause: error });
    return error;
  }
  throw new Error(`expected an error with code ${code}`);
}

/** Copies an IR model (.xml + .bin) into dir under a new base name; returns the new .xml. */
export function copyModel(xml: string, dir: string, name = path.basename(xml, '.xml')): string {
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${name}.xml`);
  fs.copyFileSync(xml, target);
  const bin = xml.replace(/\.xml$/, '.bin');
  if (fs.existsSync(bin)) fs.copyFileSync(bin, target.replace(/\.xml$/, '.bin'));
  return target;
}

/** Sets a file's times well into the past, so fingerprints of it are memoizable at once. */
export function age(file: string, seconds = 3600): void {
  const t = new Date(Date.now() - seconds * 1000);
  fs.utimesSync(file, t, t);
}
