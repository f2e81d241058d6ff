// Asks the python installations on PATH where their site-packages folders are (the finder's
// step 5 looks for the openvino wheel there). Python runs code found beside it (json.py,
// site.py, sitecustomize.py in the working folder or on PYTHONPATH), so every interpreter is
// run isolated: `-I` (no PYTHON* variables, no user site, no script folder on sys.path), an
// environment without PYTHON* variables, a fresh owner-only empty working folder, the command
// resolved through absolute PATH entries only, no shell, and a timeout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logger } from '../log';
import { findCommand } from '../process/find-command';

const log = logger('finder');

/** How long one interpreter may take to answer. */
export const PYTHON_TIMEOUT_MS = 3000;

const PYTHON_SITE_SCRIPT = [
  'import json, site, sys',
  'p = []',
  'try: p += site.getsitepackages()',
  'except Exception: pass',
  'try: p.append(site.getusersitepackages())',
  'except Exception: pass',
  "p += [x for x in sys.path if x.endswith(('site-packages', 'dist-packages'))]",
  'print(json.dumps(p))',
].join('\n');

const pythonCache = new Map<string, string[]>();

/**
 * The site-packages folders of the python installations on PATH (python3, python; py -3 on
 * Windows), each asked with a short timeout. Answers are cached per PATH for the process.
 */
export function pythonSitePackages(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  const key = `${platform}\0${env.PATH ?? ''}`;
  const cached = pythonCache.get(key);
  if (cached) return cached;
  const commands: Array<[string, string[]]> =
    platform === 'win32'
      ? [
          ['py', ['-3']],
          ['python', []],
        ]
      : [
          ['python3', []],
          ['python', []],
        ];
  const dirs: string[] = [];
  const cwd = emptyWorkingFolder();
  try {
    for (const [command, args] of commands) {
      for (const d of askPython(command, args, platform, env, cwd.dir)) if (!dirs.includes(d)) dirs.push(d);
    }
  } finally {
    cwd.remove();
  }
  log('python site-packages: %j', dirs);
  pythonCache.set(key, dirs);
  return dirs;
}

function askPython(command: string, args: string[], platform: NodeJS.Platform, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const file = findCommand(command, env, platform);
  if (file === undefined) {
    log('%s: not on PATH (absolute entries only)', command);
    return [];
  }
  const run = spawnSync(file, [...args, '-I', '-c', PYTHON_SITE_SCRIPT], {
    cwd,
    env: withoutPythonVariables(env),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
    timeout: PYTHON_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    windowsHide: true,
  });
  if (run.error || run.status !== 0) {
    log('%s: no answer (%s)', file, run.error?.message ?? `exit ${String(run.status ?? run.signal)}`);
    return [];
  }
  try {
    const parsed: unknown = JSON.parse(run.stdout.trim());
    if (Array.isArray(parsed)) return parsed.filter((d): d is string => typeof d === 'string');
  } catch {
    // logged below
  }
  log('%s: unexpected output %j', file, run.stdout);
  return [];
}

/** `env` without PYTHONPATH, PYTHONSTARTUP, PYTHONHOME and every other PYTHON* variable. */
export function withoutPythonVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.toUpperCase().startsWith('PYTHON')));
}

/**
 * A fresh empty folder only this user can write (mkdtemp makes it 0700), removed afterwards;
 * the filesystem root when no temp folder can be made (writable by administrators only).
 */
function emptyWorkingFolder(): { dir: string; remove: () => void } {
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovcache-python-'));
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    const root = path.parse(os.homedir()).root;
    log('no temp folder for python (%s); running it in %s', (error as Error).message, root);
    return { dir: root, remove: () => undefined };
  }
}
