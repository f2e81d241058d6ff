// A progress bar on a terminal (cli-progress, on stderr), nothing at all when piped.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, label?: string): void;
  stop(): void;
}

/** minTotal: fewer items show no bar (2: a single item shows none; 1: a bar that shows labels for one). */
export function createProgress(total: number, what: string, stream: NodeJS.WriteStream = process.stderr, minTotal = 2): Progress {
  if (!stream.isTTY || total < minTotal) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream, format: `${what} [{bar}] {value}/{total} {label}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    update: (done, label = '') => bar.update(done, { label }),
    stop: () => bar.stop(),
  };
}
