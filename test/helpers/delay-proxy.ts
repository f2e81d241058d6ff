// A TCP proxy on loopback that delays every chunk by `delayMs` in each direction, in order:
// a slow network in front of a real server (Redis, S3). Loopback only; close() drops every
// connection.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DelayProxy {
  port: number;
  /** Change the delay for chunks that arrive from now on (0: pass through). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** Forwards `from`'s chunks to `to` after the proxy's delay, keeping their order. */
function pipeDelayed(from: net.Socket, to: net.Socket, delay: () => number): void {
  let chain = Promise.resolve();
  from.on('data', (chunk: Buffer) => {
    const ms = delay();
    chain = chain.then(async () => {
      if (ms > 0) await sleep(ms);
      if (!to.destroyed) to.write(chunk);
    });
  });
  from.on('end', () => void chain.then(() => to.end()));
  from.on('error', () => to.destroy());
  from.on('close', () => void chain.then(() => to.destroy()));
}

export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  let delay = delayMs;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipeDelayed(client, upstream, () => delay);
    pipeDelayed(upstream, client, () => delay);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    setDelay: (ms) => (delay = ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
