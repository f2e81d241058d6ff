// Waits for a state instead of sleeping a guessed time: a fixed sleep races the work it waits
// for and fails on a loaded machine. The deadline only bounds a hang (generous on purpose).
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor(what: string, check: () => boolean, { timeoutMs = 30_000, everyMs = 10 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
