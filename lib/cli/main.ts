#!/usr/bin/env node
// The `ovcache` command. Each subcommand lives in lib/cli/commands/; exit codes are
// documented in docs/cli.md: 0 ok, 1 the operation failed, 2 bad usage.
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes';
import { ovcacheVersion } from './version';
import { quietAwsNodeWarning } from './node-support';

type Register = (program: Command) => void;

/**
 * The commands in the order `ovcache --help` lists them: name, module, register function. A
 * module is loaded only when its command runs, or for the full help: loading all of them cost
 * 130-250 ms of every start (measured: `ovcache ls` loads 50-60 ms of modules, all of them ~300).
 */
const COMMANDS: ReadonlyArray<readonly [name: string, file: string, register: string]> = [
  ['doctor', './commands/doctor', 'registerDoctor'],
  ['selftest', './commands/selftest', 'registerSelftest'],
  ['bench', './commands/bench', 'registerBench'],
  ['ls', './commands/ls', 'registerLs'],
  ['du', './commands/du', 'registerDu'],
  ['prune', './commands/prune', 'registerPrune'],
  ['rm', './commands/rm', 'registerRm'],
  ['clear', './commands/clear', 'registerClear'],
  ['verify', './commands/verify', 'registerVerify'],
  ['stats', './commands/stats', 'registerStats'],
  ['dashboard', './commands/dashboard', 'registerDashboard'],
  ['results', './commands/results', 'registerResults'],
  ['warm', './commands/warm', 'registerWarm'],
  ['rewarm', './commands/rewarm', 'registerRewarm'],
  ['pack', './commands/pack', 'registerPack'],
  ['unpack', './commands/unpack', 'registerUnpack'],
  ['tier-gc', './commands/tier-gc', 'registerTierGc'],
  ['keygen', './commands/keygen', 'registerKeygen'],
];

function registerOf(file: string, name: string): Register {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see COMMANDS)
  const register = (require(file) as Record<string, unknown>)[name];
  if (typeof register !== 'function') throw new Error(`${file} exports no function ${name}`);
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
  for (const [, file, register] of commandsFor(argv)) registerOf(file, register)(program);
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
