// Runs test/runtime/fixtures/layout-child in a fresh node process whose environment holds none
// of the variables that point at a runtime (LD_LIBRARY_PATH, OPENVINO_*, INTEL_OPENVINO_DIR,
// VIRTUAL_ENV, CONDA_PREFIX, OV_STUB_*) except those given: what a user's process starts with.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { FIXTURES } from './paths';

export const LAYOUT_CHILD = path.join(__dirname, '..', 'runtime', 'fixtures', 'layout-child.js');

const RUNTIME_VARIABLES = /^(LD_LIBRARY_PATH|OPENVINO_\w+|INTEL_OPENVINO_DIR|VIRTUAL_ENV|CONDA_PREFIX|OV_STUB_\w+)$/;

export interface LayoutChildResult {
  libraryPath?: string;
  source?: string;
  devices?: string[];
  outputs?: number[];
  expected?: number[];
  error?: { code?: string; message: string; missing?: string; neededBy?: string };
}

/** process.env without the runtime variables, plus `env`. */
export function userEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!RUNTIME_VARIABLES.test(k)) clean[k] = v;
  return { ...clean, ...env };
}

/**
 * Finds, loads, compiles and infers in a fresh process. `env` is its extra environment;
 * `systemLibDirs` stands in for the system folders; `shellPrelude` (a bash command, e.g.
 * `source /x/setupvars.sh`) runs before node in the same shell.
 */
export function runLayoutChild(options: {
  env?: Record<string, string>;
  systemLibDirs?: string[];
  device?: string;
  shellPrelude?: string;
}): LayoutChildResult {
  const job = JSON.stringify({ fixtures: FIXTURES, systemLibDirs: options.systemLibDirs ?? [], device: options.device ?? 'CPU' });
  const env = userEnv(options.env);
  const run = options.shellPrelude
    ? spawnSync('bash', ['-c', `${options.shellPrelude} >/dev/null && exec "$0" "$1" "$2"`, process.execPath, LAYOUT_CHILD, job], {
        env,
        encoding: 'utf8',
        timeout: 60000,
      })
    : spawnSync(process.execPath, [LAYOUT_CHILD, job], { env, encoding: 'utf8', timeout: 60000 });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT:'));
  if (!line) throw new Error(`layout child exited with ${run.status ?? run.signal}: ${run.stderr}${run.stdout}`);
  return JSON.parse(line.slice('RESULT:'.length)) as LayoutChildResult;
}
