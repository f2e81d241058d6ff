// `ovcache dashboard`: serves a page on loopback that shows the cache folder and its history,
// updating while it is open. Runs until interrupted (Ctrl-C, SIGTERM).
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { startDashboard } from '../../dashboard/server';
import { formatBytes, formatDurationTyped, parseDuration } from '../../format/units';
import { findCommand } from '../../process/find-command';
import { print, resolveCacheDir, sizeArgument, withLibraryOption } from '../cache-dir-option';
import { runDoctor } from './doctor';

interface DashboardCliOptions {
  dir?: string;
  port: number;
  host: string;
  open?: boolean;
  maxSize?: number;
  results?: string;
  refresh: number;
  library?: string;
}

function portArgument(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError(`Expected a port number (0 to 65535) for --port but received "${value}"`);
  return n;
}

/** The slowest page refresh. */
const MAX_REFRESH_MS = 86_400_000;

function refreshArgument(value: string): number {
  try {
    // The page waits with the browser's setTimeout, which fires at once past 2^31-1 ms.
    return parseDuration(value, '--refresh', { min: 200, max: MAX_REFRESH_MS });
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Opens the page in the desktop's browser; a failure only prints the URL again. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  // Resolved through absolute PATH entries only and started in the filesystem root: nothing
  // in the caller's working folder is run. No timeout: the opener is detached and unref'd.
  const file = findCommand(cmd);
  if (file === undefined) {
    print(`Could not open a browser (${cmd} is not on PATH); open ${url} yourself.`);
    return;
  }
  const child = spawn(file, args, { stdio: 'ignore', detached: true, shell: false, windowsHide: true, cwd: path.parse(os.homedir()).root });
  child.on('error', () => print(`Could not open a browser (${cmd}); open ${url} yourself.`));
  child.unref();
}

export async function runDashboard(opts: DashboardCliOptions, signal: AbortSignal): Promise<void> {
  const { dir, source } = resolveCacheDir(opts);
  const dashboard = await startDashboard({
    dir,
    port: opts.port,
    host: opts.host,
    refreshMs: opts.refresh,
    runtime: runDoctor(opts.library ? { library: opts.library } : {}),
    ...(opts.maxSize !== undefined ? { maxBytes: opts.maxSize } : {}),
    ...(opts.results !== undefined ? { resultsDir: path.resolve(opts.results) } : {}),
  });
  print(`ovcache dashboard: ${dashboard.url}`);
  print(`Cache folder ${dir} (${source})${opts.maxSize !== undefined ? `, budget ${formatBytes(opts.maxSize)}` : ''}. Ctrl-C stops it.`);
  if (opts.open) openBrowser(dashboard.url);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await dashboard.close();
}

export function registerDashboard(program: Command): void {
  withLibraryOption(
    program
      .command('dashboard')
      .description(
        'serve a page on 127.0.0.1 that shows the cache, its growth and hit rate, the result cache and serving registries, updating while open',
      )
      .option('--dir <path>', 'the cache folder (default: OVCACHE_DIR, else the user cache folder + "ovcache")')
      .option('--port <n>', 'the port (0 picks a free one)', portArgument, 7707)
      .option('--host <address>', 'the address to listen on; anything but loopback exposes the page to the network', '127.0.0.1')
      .option('--open', 'open the page in the default browser')
      .option('--max-size <size>', 'the budget to show when no cache recorded one (e.g. 20GB)', sizeArgument('--max-size'))
      .option('--results <path>', 'the result store\'s folder (default: "results" in the cache folder)')
      // Durations in help are written as they are typed (5s), never as milliseconds.
      .addOption(
        new Option('--refresh <duration>', 'how often the page updates')
          .argParser(refreshArgument)
          .default(5000, formatDurationTyped(5000)),
      ),
  ).action(async (opts: DashboardCliOptions) => {
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await runDashboard(opts, stop.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
