/**
 * worker_threads entry of the bench's fan-out pool: a stand-in for a StatisticsGen shard
 * activity. Gets a file, answers with its partial encoded as the activity would write it.
 */
import { parentPort } from 'node:worker_threads';
import { encodePartial } from '../../src/stats/index.js';
import { filePartial } from './stats-unit.js';

const port = parentPort!;
port.on('message', (file: string) => {
  filePartial(file).then(
    (p) => port.postMessage({ file, bytes: encodePartial(p) }),
    (err: Error) => port.postMessage({ file, error: err.stack ?? err.message }),
  );
});
port.postMessage('ready');
