// `ovcache bench <model.xml>`: start-up with ovcache, OpenVINO's own CACHE_DIR and no cache, each trial in a fresh process.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { runColdWarm, trialsPerRound } from '../../bench/cold-warm';
import { coldWarmChart, formatColdWarm } from '../../bench/cold-warm-format';
import { collectPairs, positiveInteger } from '../parse-args';
import { createProgress } from '../progress';
import { phaseText } from '../compile-phases';
import type { CompileProgress } from '../../cache/progress/compile-progress';

interface BenchOptions {
  device: string;
  shapes?: Record<string, string>;
  config?: Record<string, string>;
  runs: number;
  json?: string;
  chart?: string;
  library?: string;
  compare?: string;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description("measure start-up: ovcache against OpenVINO's own CACHE_DIR and no cache, cold and warm, in fresh processes")
    .argument('<model>', 'the model .xml')
    .option('--device <name>', 'device to compile for', 'CPU')
    .option('--shapes <name=dims>', 'reshape an input, e.g. image=1,3,512,512 (repeatable)', collectPairs('--shapes'))
    .option('--config <KEY=VALUE>', 'a compile property (repeatable)', collectPairs('--config'))
    .option('--runs <n>', 'interleaved rounds (one trial per engine and mode each)', positiveInteger('--runs'), 3)
    .option('--json <file>', 'write the full report as JSON')
    .option('--chart <file.svg>', 'draw a bar chart as SVG')
    .option('--library <path>', 'the OpenVINO C library to use')
    .option('--compare <package>', 'also measure another binding: openvino-node')
    .action(async (model: string, opts: BenchOptions) => {
      if (opts.compare !== undefined && opts.compare !== 'openvino-node') {
        throw new Error(`--compare supports only "openvino-node", not "${opts.compare}"`);
      }
      const progress = createProgress(opts.runs * trialsPerRound(opts.compare === 'openvino-node'), 'bench');
      let done = 0;
      const report = await runColdWarm({
        model,
        device: opts.device,
        runs: opts.runs,
        ...(opts.shapes ? { shapes: opts.shapes } : {}),
        ...(opts.config ? { config: opts.config } : {}),
        ...(opts.library ? { libraryPath: opts.library } : {}),
        compareOpenVINONode: opts.compare === 'openvino-node',
        onTrial: (n, _total, label) => progress.update((done = n), label),
        // Phases only on a terminal: the trials' children then print them (a few lines per trial).
        ...(process.stderr.isTTY
          ? { onPhase: (trial: string, p: CompileProgress) => progress.update(done, `${trial}: ${phaseText(p)}`) }
          : {}),
      }).finally(() => progress.stop());
      process.stdout.write(`${formatColdWarm(report)}\n`);
      if (opts.json) writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      if (opts.chart) writeFile(opts.chart, coldWarmChart(report));
    });
}

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}
