// `ovcache selftest`: run the real-runtime cases on the runtime the finder finds (every device it
// lists), plus a cold/warm cache check, and print a report to paste into an issue.
import type { Command } from 'commander';
import { formatSelftest } from '../../selftest/report';
import { runSelftest } from '../../selftest/run';
import { EXIT } from '../exit-codes';

export function registerSelftest(program: Command): void {
  program
    .command('selftest')
    .description('run the real-runtime test cases on every device of the OpenVINO runtime found, and print a report')
    .option('--json', 'print a JSON report')
    .option('--library <path>', 'use this libopenvino_c library or folder')
    .option('--device <names>', 'only these devices, comma-separated (default: every device the runtime lists)')
    .action(async (opts: { json?: boolean; library?: string; device?: string }) => {
      const devices = opts.device
        ?.split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      const report = await runSelftest({
        ...(opts.library !== undefined ? { library: opts.library } : {}),
        ...(devices?.length ? { devices } : {}),
      });
      process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatSelftest(report)}\n`);
      process.exitCode = report.ok ? EXIT.OK : EXIT.FAILED;
    });
}
