/**
 * The engine worker's entry (bundled to dist/worker.js, run with worker_threads by the extension
 * host): the thread's port delivers straight into the EngineService, which validates and handles.
 */
import { parentPort } from 'node:worker_threads';
import { EngineService } from './engineService';

const port = parentPort;
if (port === null) {
  throw new Error('engineWorker must run in a worker thread (new Worker(...)), not as a main script.');
}

const engine = new EngineService(
  (message) => port.postMessage(message),
  () => port.close(),
);
port.on('message', engine.receive);
