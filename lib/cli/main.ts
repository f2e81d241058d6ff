#!/usr/bin/env node
// The `ovcache` command. Each subcommand lives in lib/cli/commands/; exit codes are
// documented in docs/cli.md: 0 ok, 1 the operation failed, 2 bad usage.
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes';
import { ovcacheVersion } from './version';
import { quietAwsNodeWarning } from './node-support';

type Register = (program: Command) => void;
type CommandModule = Record<string, unknown>;

/**
 * The commands in the order `ovcache --help` lists them: name, loader, register function. A
 * command's module is loaded only when it runs, or for the full help: loading all of them cost
 * 130-250 ms of every start (measured: `ovcache ls` loads 50-60 ms of modules, all of them ~300).
 * Each loader names its module literally, so bundlers and code tools can follow it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each command's module is loaded on demand (above) */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => CommandModule, register: string]> = [
  ['doctor', () => require('./commands/doctor') as CommandModule, 'registerDoctor'],
  ['selftest', () => require('./commands/selftest') as CommandModule, 'registerSelftest'],
  ['bench', () => require('./commands/bench') as CommandModule, 'registerBench'],
  ['ls', () => require('./commands/ls') as CommandModule, 'registerLs'],
  ['du', () => require('./commands/du') as CommandModule, 'registerDu'],
  ['prune', () => require('./commands/prune') as CommandModule, 'registerPrune'],
  ['rm', () => require('./commands/rm') as CommandModule, 'registerRm'],
  ['clear', () => require('./commands/clear') as CommandModule, 'registerClear'],
  ['verify', () => require('./commands/verify') as CommandModule, 'registerVerify'],
  ['stats', () => require('./commands/stats') as CommandModule, 'registerStats'],
  ['dashboard', () => require('./commands/dashboard') as CommandModule, 'registerDashboard'],
  ['results', () => require('./commands/results') as CommandModule, 'registerResults'],
  ['warm', () => require('./commands/warm') as CommandModule, 'registerWarm'],
  ['rewarm', () => require('./commands/rewarm') as CommandModule, 'registerRewarm'],
  ['pack', () => require('./commands/pack') as CommandModule, 'registerPack'],
  ['unpack', () => require('./commands/unpack') as CommandModule, 'registerUnpack'],
  ['tier-gc', () => require('./commands/tier-gc') as CommandModule, 'registerTierGc'],
  ['keygen', () => require('./commands/keygen') as CommandModule, 'registerKeygen'],
];
/* eslint-enable @typescript-eslint/no-require-imports */

function registerOf(command: string, load: () => CommandModule, name: string): Register {
  const register = load()[name];
  if (typeof register !== 'function') throw new Error(`the module of "ovcache ${command}" exports no function ${name}`);
  return register as Register;
}

function commandsFor(argv: readonly string[]): typeof COMMANDS {
  if (argv[0] === '-V' || argv[0] === '--version') return [];
  const named = COMMANDS.filter(([name]) => name === argv[0]);
  return named.length > 0 ? named : COMMANDS;
}

/**
 * The program with every command; when `argv` starts with a command's name, with that one only,
 * and for `--version` with none (what it parses and prints is the same: only the root help and
 * an unknown command's suggestion need them all).
 */
export function buildProgram(argv: readonly string[] = []): Command {
  const program = new Command('ovcache')
    .description('Inspect the OpenVINO runtime and manage the ovcache model cache')
    .version(ovcacheVersion(), '-V, --version', 'print the version of ovcache')
    .showHelpAfterError('(ovcache --help lists the commands)')
    .exitOverride();
  for (const [command, load, register] of commandsFor(argv)) registerOf(command, load, register)(program);
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
  const program = buildProgram(argv);
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
