// The set-up the cache benchmarks share: a work folder, the stand-in runtime, a result
// record that names what was measured, and a model whose files are old enough to memoize.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineInfo } from '../lib/bench/machine';
import { loadOpenVINO } from '../lib/openvino/openvino';
import type { Core } from '../lib/openvino/core';
import type { OpenVINO } from '../lib/openvino/openvino';
import { writeMlp } from '../scripts/make-fixtures';

export const STAND_IN = process.env.OVCACHE_TEST_STAND_IN ?? path.resolve(__dirname, '..', '..', 'out', 'test-runtime', 'libopenvino_c.so');

export interface StandInBench {
  work: string;
  ov: OpenVINO;
  core: Core;
  results: Record<string, unknown>;
}

export async function openStandInBench(name: string): Promise<StandInBench> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `ovcache-bench-${name}-`));
  const ov = await loadOpenVINO({ libraryPath: STAND_IN });
  const results: Record<string, unknown> = {
    note: 'Measured against the ovcache stand-in runtime (simulated OpenVINO): load times are simulated, ovcache overheads are real.',
    runtime: { buildNumber: ov.version.buildNumber, standIn: ov.isStandIn },
    machine: machineInfo(),
    date: new Date().toISOString(),
  };
  return { work, ov, core: ov.createCore(), results };
}

/** The MLP fixture with files an hour old, after the fingerprint's 2 s racy window has passed. */
export async function agedMlp(dir: string): Promise<string> {
  const { xml } = writeMlp(dir);
  const old = new Date(Date.now() - 3600_000);
  for (const f of [xml, xml.replace(/\.xml$/, '.bin')]) fs.utimesSync(f, old, old);
  await sleep(2100); // utimes moved ctime to now: wait past the racy window
  return xml;
}
