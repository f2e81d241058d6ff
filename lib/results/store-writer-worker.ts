// The worker thread of store-writer.ts: one LocalStore with synchronous write transactions; runs
// each request in the order it came and answers it.
import { parentPort, workerData } from 'node:worker_threads';
import { OvcacheError } from '../errors';
import { LocalStore } from './local-store';
import type { WriteError, WriteReply, WriteRequest, WriterData } from './store-writer';

const { dir, options } = workerData as WriterData;
const port = parentPort;
if (!port) throw new Error('store-writer-worker runs as a worker thread');
let store: LocalStore | undefined;
let opening: Error | undefined;
try {
  store = new LocalStore(dir, { ...options, writes: 'sync' });
} catch (error) {
  opening = error as Error;
}

/** A Buffer again: structured cloning hands a Uint8Array over. */
const asBuffer = (value: unknown): unknown =>
  value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;

async function run(request: WriteRequest): Promise<unknown> {
  if (!store) throw opening ?? new Error('no store');
  const args = request.args.map(asBuffer);
  switch (request.method) {
    case 'put':
      return store.put(...(args as Parameters<LocalStore['put']>));
    case 'addLookups':
      return store.addLookups(...(args as Parameters<LocalStore['addLookups']>));
    case 'remove':
      return store.remove(...(args as Parameters<LocalStore['remove']>));
    case 'prune':
      return store.prune(...(args as Parameters<LocalStore['prune']>));
    case 'clear':
      return store.clear();
    case 'removeDamaged':
      return store.removeDamaged(...(args as Parameters<LocalStore['removeDamaged']>));
    case 'close':
      return store.close();
  }
}

port.on('message', (request: WriteRequest) => {
  void run(request).then(
    (result) => port.postMessage({ id: request.id, result } satisfies WriteReply),
    (error: Error & { code?: unknown; errno?: unknown }) => {
      const sent: WriteError = { message: error.message };
      if (error instanceof OvcacheError) sent.ovcacheCode = error.code;
      else if (typeof error.code === 'string') sent.code = error.code;
      if (typeof error.errno === 'number') sent.errno = error.errno;
      port.postMessage({ id: request.id, error: sent } satisfies WriteReply);
    },
  );
});
