// What every benchmark records about the machine it ran on.
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cpus: number;
  nproc: number;
  memoryGB: number;
  platform: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1]?.trim() ?? cpu;
  } catch {
    // not Linux: os.cpus() names it
  }
  return {
    cpu,
    cpus: os.cpus().length,
    nproc: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch} ${os.release()}`,
    node: process.version,
  };
}
