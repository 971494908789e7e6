/**
 * The engine worker's entry (bundled to dist/worker.js, run with worker_threads by the extension
 * host). It only wires the thread's message port to the EngineController.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerToHost } from '../shared/workerProtocol';
import { EngineController } from './controller';

const port = parentPort;
if (port === null) {
  throw new Error('engineWorker must run in a worker thread (new Worker(...)), not as a main script.');
}

const controller = new EngineController(
  (message: WorkerToHost) => port.postMessage(message),
  () => port.close(),
);
port.on('message', (message: unknown) => controller.receive(message));
