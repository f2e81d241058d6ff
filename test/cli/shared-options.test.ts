// README.md and docs/cli.md say which commands take --json and --dir: the program agrees, and
// --json is a switch everywhere (never an option that takes a value).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../lib/cli/main';
import { ROOT } from '../helpers/paths';

function leafCommands(command: Command, prefix = ''): Array<{ name: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return sub.commands.length > 0 ? leafCommands(sub, `${name} `) : [{ name, command: sub }];
  });
}

/** The backticked names in "every command but `a`, `b` and `c` takes `--flag`". */
function exceptionsIn(text: string, flag: string): string[] {
  const match = new RegExp(`command but ((?:\`[a-z-]+\`(?:, | and )?)+)\\s+takes\\s+\`${flag}\``, 'i').exec(text.replace(/\n/g, ' '));
  assert.ok(match?.[1], `no "every command but ... takes \`${flag}\`" sentence`);
  return [...match[1].matchAll(/`([a-z-]+)`/g)].map((m) => m[1] ?? '').sort();
}

describe('ovcache shared options', () => {
  const commands = leafCommands(buildProgram());
  const without = (flag: string): string[] =>
    commands
      .filter((c) => !c.command.options.some((o) => o.long === flag))
      .map((c) => c.name)
      .sort();

  for (const page of ['README.md', path.join('docs', 'cli.md')]) {
    it(`${page} names exactly the commands without --json and without --dir`, () => {
      const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
      assert.deepEqual(exceptionsIn(text, '--json'), without('--json'));
      assert.deepEqual(exceptionsIn(text, '--dir'), without('--dir'));
    });
  }

  it('--json is a switch in every command (it takes no value)', () => {
    for (const { name, command } of commands) {
      const json = command.options.find((o) => o.long === '--json');
      if (json) assert.equal(json.required || json.optional, false, `${name} --json takes a value`);
    }
  });

  it('every duration default in the help is written as it is typed (5s, 1h), never as milliseconds', () => {
    let durations = 0;
    for (const { name, command } of commands) {
      for (const o of command.options.filter((o) => o.flags.includes('<duration>') && o.defaultValue !== undefined)) {
        durations++;
        assert.match(String(o.defaultValueDescription), /^\d+(ms|s|min|h|d)$/, `${name} ${o.long}`);
        assert.match(command.helpInformation(), new RegExp(`\\(default: ${String(o.defaultValueDescription)}\\)`), `${name} --help`);
      }
    }
    assert.ok(durations > 0, 'dashboard --refresh has a duration default');
  });
});
