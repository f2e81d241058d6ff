// `ovcache clear [--yes]`: remove every entry. Asks on a terminal; refuses without --yes when
// stdin is not one. CACHEDIR.TAG, fingerprints/ and locks/ stay; abandoned trash goes.
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { cleanTrash } from '../../cache/entry/trash';
import { scanCache } from '../../cache/scan';
import { formatBytes } from '../../format/units';
import { print, printJson, resolveCacheDir, withCacheOptions } from '../cache-dir-option';
import { EXIT } from '../exit-codes';
import { formatRemoval, removeAll } from './rm';
import { countOf } from '../../format/count';

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerClear(program: Command): void {
  const command = program.command('clear').description('remove every cache entry').option('-y, --yes', 'do not ask');
  withCacheOptions(command).action(async (opts: { dir?: string; json?: boolean; yes?: boolean }) => {
    const { dir } = resolveCacheDir(opts);
    const scan = await scanCache(dir, { checkModels: false });
    if (!opts.yes) {
      if (!process.stdin.isTTY) command.error('error: not a terminal: pass --yes to clear the cache without a question');
      if (
        scan.entries.length > 0 &&
        !(await confirm(`Remove all ${countOf(scan.entries.length, 'entry')} (${formatBytes(scan.totals.bytes)}) from ${scan.dir}? [y/N] `))
      ) {
        print('Nothing removed.');
        return;
      }
    }
    const report = await removeAll(dir, scan.entries, 'clearing', false);
    const trash = await cleanTrash(dir);
    if (opts.json) printJson({ ...report, trash: { removed: trash.removed.length, bytes: trash.bytes } });
    else print(formatRemoval(report));
    process.exitCode = report.skipped.length > 0 ? EXIT.FAILED : EXIT.OK;
  });
}
