// Writes checkpoints of epoch 0, 1, 2, ... into argv[2] until killed; each one's weights all
// hold its epoch number, so a reader can tell a whole checkpoint from a mix of two.
import { writeCheckpoint } from '../../../src/ml/train/checkpoint.js';

const dir = process.argv[2]!;
const size = 2_000_000;
for (let epoch = 0; ; epoch++) {
  const values = new Float32Array(size).fill(epoch);
  await writeCheckpoint(dir, 'last', {
    epoch,
    done: false,
    state: {
      weights: [{ name: 'w', shape: [size], values }],
      optimizer: [{ name: 'm', shape: [size], values }],
      learningRate: epoch,
    },
    history: Array.from({ length: epoch + 1 }, (_, e) => ({ epoch: e, logs: { loss: e } })),
    callbacks: {},
    data: { seed: 0, nextEpoch: epoch + 1, nextBatch: 0 },
  });
  process.stdout.write(`${epoch}\n`);
}
