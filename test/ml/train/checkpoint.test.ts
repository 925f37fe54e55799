import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../../src/ml/train/checkpoint.js';
import { tmpDir } from './helpers.js';

const ckpt = (epoch: number): Checkpoint => ({
  epoch,
  done: false,
  state: {
    weights: [
      { name: 'dense/kernel', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
      { name: 'dense/bias', shape: [3], values: Float32Array.from([0.1, -0.2, epoch]) },
    ],
    optimizer: [{ name: 'iter', shape: [], values: Float32Array.from([epoch * 10]) }],
    learningRate: 0.001,
  },
  history: [{ epoch: 0, logs: { loss: NaN, val_loss: Infinity, accuracy: 0.5 } }],
  callbacks: {
    'early-stopping:val_loss': {
      json: { wait: 1, best: -Infinity },
      arrays: [{ name: 'dense/bias', shape: [3], values: Float32Array.from([7, 8, 9]) }],
    },
    'csv-logger': { json: undefined },
  },
  data: { seed: 3, nextEpoch: epoch + 1, nextBatch: 40 },
  best: { monitor: 'val_loss', value: 0.25, epoch: 0 },
});

describe('checkpoints', () => {
  it('round-trip every array exactly, NaN and Infinity included', async () => {
    const dir = tmpDir();
    await writeCheckpoint(dir, 'last', ckpt(4));
    const back = await readCheckpoint(dir, 'last');
    expect(back).toEqual({
      ...ckpt(4),
      callbacks: { ...ckpt(4).callbacks, 'csv-logger': { json: undefined, arrays: [] } },
    });
    expect(fs.readdirSync(dir)).toEqual(['last']);
    expect(await readCheckpoint(dir, 'best')).toBeUndefined();
    expect(await readCheckpoint(path.join(dir, 'nothing-here'), 'last')).toBeUndefined();
  });

  it('a kill between moving the old one aside and the new one in leaves the old one readable; a half-written temp folder is ignored', async () => {
    const dir = tmpDir();
    await writeCheckpoint(dir, 'last', ckpt(1));
    fs.renameSync(path.join(dir, 'last'), path.join(dir, '.last.old-abcd1234'));
    fs.mkdirSync(path.join(dir, '.last.tmp-1-deadbeef'));
    fs.writeFileSync(path.join(dir, '.last.tmp-1-deadbeef', 'tensors.bin'), 'half');
    expect((await readCheckpoint(dir, 'last'))!.epoch).toBe(1);
    await writeCheckpoint(dir, 'last', ckpt(2));
    expect((await readCheckpoint(dir, 'last'))!.epoch).toBe(2);
  });

  it('a damaged checkpoint is a DataError naming its file', async () => {
    const dir = tmpDir();
    await writeCheckpoint(dir, 'last', ckpt(1));
    fs.truncateSync(path.join(dir, 'last', 'tensors.bin'), 8);
    await expect(readCheckpoint(dir, 'last')).rejects.toThrow(DataError);
    await expect(readCheckpoint(dir, 'last')).rejects.toThrow(/last\/tensors\.bin: tensors\.bin has 8 bytes/);
  });

  it('a process killed (SIGKILL) while writing never leaves a half checkpoint', async () => {
    const child = fileURLToPath(new URL('./checkpoint-child.ts', import.meta.url));
    for (let round = 0; round < 4; round++) {
      const dir = tmpDir();
      const p = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let written = -1;
      await new Promise<void>((resolve) => {
        p.stdout.on('data', (b: Buffer) => {
          written = Number(b.toString().trim().split('\n').pop());
          // kill at a different moment of a write each round
          if (written === 1) setTimeout(() => p.kill('SIGKILL'), 5 + round * 17);
        });
        p.on('exit', () => resolve());
      });
      const got = await readCheckpoint(dir, 'last');
      expect(got!.epoch).toBeGreaterThanOrEqual(written);
      expect(new Set(got!.state.weights[0]!.values)).toEqual(new Set([got!.epoch]));
      expect(new Set(got!.state.optimizer[0]!.values)).toEqual(new Set([got!.epoch]));
      expect(got!.history).toHaveLength(got!.epoch + 1);
    }
  }, 120_000);
});
