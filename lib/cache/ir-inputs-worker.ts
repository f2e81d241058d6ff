// The worker thread readIrInputs (ir-inputs.ts) starts: scans one IR .xml off the main thread,
// under the heap limit it was given, and posts the IrInputsResult.
import { parentPort, workerData } from 'node:worker_threads';
import { readIrInputsHere, type IR_INPUTS_LIMITS } from './ir-inputs';

const { xml, limits } = workerData as { xml: string; limits: typeof IR_INPUTS_LIMITS };
parentPort?.postMessage(readIrInputsHere(xml, limits));
