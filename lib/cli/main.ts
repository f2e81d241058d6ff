#!/usr/bin/env node
// The `ovcache` command. Each subcommand lives in lib/cli/commands/; exit codes are
// documented in docs/cli.md: 0 ok, 1 the operation failed, 2 bad usage.
import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench';
import { registerClear } from './commands/clear';
import { registerDashboard } from './commands/dashboard';
import { registerDoctor } from './commands/doctor';
import { registerDu } from './commands/du';
import { registerKeygen } from './commands/keygen';
import { registerLs } from './commands/ls';
import { registerPack } from './commands/pack';
import { registerPrune } from './commands/prune';
import { registerResults } from './commands/results';
import { registerRm } from './commands/rm';
import { registerSelftest } from './commands/selftest';
import { registerStats } from './commands/stats';
import { registerTierGc } from './commands/tier-gc';
import { registerUnpack } from './commands/unpack';
import { registerVerify } from './commands/verify';
import { registerWarm } from './commands/warm';
import { registerRewarm } from './commands/rewarm';
import { EXIT } from './exit-codes';
import { ovcacheVersion } from './version';
import { quietAwsNodeWarning } from './node-support';

export function buildProgram(): Command {
  const program = new Command('ovcache')
    .description('Inspect the OpenVINO runtime and manage the ovcache model cache')
    .version(ovcacheVersion(), '-V, --version', 'print the version of ovcache')
    .showHelpAfterError('(ovcache --help lists the commands)')
    .exitOverride();
  registerDoctor(program);
  registerSelftest(program);
  registerBench(program);
  for (const register of [registerLs, registerDu, registerPrune, registerRm, registerClear, registerVerify, registerStats])
    register(program);
  registerDashboard(program);
  registerResults(program);
  for (const register of [registerWarm, registerRewarm, registerPack, registerUnpack, registerTierGc, registerKeygen]) register(program);
  pointUsageErrorsToHelp(program);
  return program;
}

/** A usage error prints the one wrong thing and where to look, not the whole help. */
function pointUsageErrorsToHelp(command: Command, path = 'ovcache'): void {
  for (const sub of command.commands) {
    const name = `${path} ${sub.name()}`;
    sub.showHelpAfterError(`(${name} --help lists its options)`);
    pointUsageErrorsToHelp(sub, name);
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw error;
  }
}

if (require.main === module) {
  quietAwsNodeWarning();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const e = error as { code?: string; message?: string };
      process.stderr.write(`ovcache: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(error)}\n`);
      process.exitCode = EXIT.FAILED;
    },
  );
}
