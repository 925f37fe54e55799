/**
 * One replica thread: builds the model from the ModelSource on its own tfjs backend (each
 * worker thread has its own tfjs engine and kernel registry), then answers the replica
 * stepper's requests in arrival order. Started by replica-stepper.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildCore } from './local-stepper.js';
import type { ModelCore } from './model-core.js';
import type { ReplicaFailure, ReplicaInit, ReplicaMessage, ReplicaReply } from './replica-protocol.js';

const port = parentPort!;
const init = workerData as ReplicaInit;
const failure = (err: unknown): ReplicaFailure =>
  err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack }
    : { name: 'Error', message: String(err) };
const send = (reply: ReplicaReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

let core: ModelCore;
try {
  const built = await buildCore(init.source, { backend: init.backend });
  core = built.core;
  send({ op: 'ready', backend: built.backend, gradientSize: core.gradientSize });
} catch (err) {
  send({ op: 'failed', error: failure(err) });
  process.exit(0);
}

/** an error from an `apply`, owed to the next request */
let pending: unknown;
/** how long the last apply took, reported with the next gradients */
let applyMs = 0;

async function handle(msg: ReplicaMessage): Promise<void> {
  if (msg.op === 'apply') {
    try {
      const t0 = performance.now();
      core.applyFlat(msg.grads);
      applyMs = performance.now() - t0;
    } catch (err) {
      pending ??= err;
    }
    return;
  }
  try {
    if (pending) throw pending;
    switch (msg.op) {
      case 'grads': {
        const t0 = performance.now();
        const value = await core.sliceGradients(msg.batch, msg.totalWeight);
        return send({ id: msg.id, ok: true, value: { ...value, computeMs: performance.now() - t0, applyMs } }, [
          value.grads.buffer as ArrayBuffer,
        ]);
      }
      case 'evaluate':
        return send({ id: msg.id, ok: true, value: await core.evaluate(msg.batch) });
      case 'predict': {
        const value = await core.predict(msg.batch);
        return send({ id: msg.id, ok: true, value }, [value.buffer as ArrayBuffer]);
      }
      case 'getState':
        return send({ id: msg.id, ok: true, value: await core.getState() });
      case 'setState':
        await core.setState(msg.state);
        return send({ id: msg.id, ok: true, value: undefined });
      case 'setLearningRate':
        core.learningRate = msg.lr;
        return send({ id: msg.id, ok: true, value: undefined });
    }
  } catch (err) {
    send({ id: msg.id, ok: false, error: failure(err) });
  }
}

// one at a time, in arrival order: an apply must land before the next step's gradients
let queue = Promise.resolve();
port.on('message', (msg: ReplicaMessage) => {
  queue = queue.then(() => handle(msg));
});
