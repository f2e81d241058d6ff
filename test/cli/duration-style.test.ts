// Durations are written one way per purpose (issue 25): what a user types and reads back in
// --help ("1h", "5s": formatDurationTyped) and what was measured ("2.4 s": formatDuration). No
// help text shows a default in the measured style ("1.0 h") or in bare milliseconds ("5000").
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../lib/cli/main';
import { formatDurationTyped, parseDuration } from '../../lib/format/units';

function everyCommand(command: Command, prefix = 'ovcache'): Array<{ name: string; command: Command }> {
  return [{ name: prefix, command }, ...command.commands.flatMap((sub) => everyCommand(sub, `${prefix} ${sub.name()}`))];
}

describe('durations in the CLI: one style for what is typed, one for what is measured', () => {
  const commands = everyCommand(buildProgram());

  it('formatDurationTyped writes what parseDuration reads back, in the largest whole unit', () => {
    const cases: Array<[number, string]> = [
      [3_600_000, '1h'],
      [5000, '5s'],
      [90_000, '90s'],
      [1_800_000, '30min'],
      [86_400_000, '1d'],
      [200, '200 ms'],
    ];
    for (const [ms, text] of cases) {
      assert.equal(formatDurationTyped(ms), text);
      assert.equal(parseDuration(text), ms, `${text} reads back`);
    }
  });

  it('no --help shows a duration with decimals ("1.0 h") or a default in bare milliseconds', () => {
    for (const { name, command } of commands) {
      const help = command.helpInformation();
      assert.doesNotMatch(help, /\b\d+\.\d+ ?(ms|s|min|h|d)\b/, `${name} --help`);
      for (const o of command.options.filter((o) => o.flags.includes('<duration>') && o.defaultValue !== undefined)) {
        assert.equal(o.defaultValueDescription, formatDurationTyped(Number(o.defaultValue)), `${name} ${o.long}`);
      }
    }
  });

  it('tier-gc --older-than shows its default as it is typed: (default: 1h)', () => {
    const gc = commands.find((c) => c.name === 'ovcache tier-gc');
    assert.ok(gc, 'ovcache tier-gc exists');
    assert.match(gc.command.helpInformation(), /--older-than <duration>\s+leave what is younger alone \(default: 1h\)/);
  });
});
