import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { loadModel, saveModel } from '../../src/ml/fs-model-io.js';
import { DataError } from '../../src/errors.js';
import { twoHeaded } from '../fixtures/models.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-modelio-'));

beforeAll(async () => {
  await ensureBackend();
});

describe('folder model IO', () => {
  it('round-trips a multi-input model through model.json + weights.bin', async () => {
    const dir = path.join(tmp(), 'm');
    await saveModel(twoHeaded(), dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    // 3x1 + 1 + 2x2 float32
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe((3 + 1 + 4) * 4);
    const loaded = await loadModel(dir);
    const [y, z] = loaded.predict([tf.tensor2d([[1, 2]]), tf.tensor2d([[3]])]) as tf.Tensor[];
    expect(y!.arraySync()).toEqual([[14]]);
    expect(z!.arraySync()).toEqual([[1, 2]]);
  });

  it('loads a converter-style folder whose weights are split over several shard files', async () => {
    const src = path.join(tmp(), 'src');
    await saveModel(twoHeaded(), src);
    const json = JSON.parse(fs.readFileSync(path.join(src, 'model.json'), 'utf8'));
    const bytes = fs.readFileSync(path.join(src, 'weights.bin'));
    const dir = path.join(tmp(), 'sharded');
    fs.mkdirSync(dir);
    // group 1: y's kernel and bias (16 bytes) in two shards; group 2: z's kernel
    const specs = json.weightsManifest[0].weights;
    fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 8));
    fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(8, 16));
    fs.writeFileSync(path.join(dir, 'group2-shard1of1.bin'), bytes.subarray(16));
    json.weightsManifest = [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs.slice(0, 2) },
      { paths: ['group2-shard1of1.bin'], weights: specs.slice(2) },
    ];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    const loaded = await loadModel(dir);
    const [y] = loaded.predict([tf.tensor2d([[0, 0]]), tf.tensor2d([[2]])]) as tf.Tensor[];
    expect(y!.arraySync()).toEqual([[6]]);
  });

  it('names the file when the weights are truncated', async () => {
    const dir = path.join(tmp(), 'cut');
    await saveModel(twoHeaded(), dir);
    fs.truncateSync(path.join(dir, 'weights.bin'), 20);
    const err = await loadModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(path.join(dir, 'weights.bin'));
    expect((err as Error).message).toMatch(/needs 32 bytes but weights\.bin hold 20/);
  });

  it('rejects a model.json that is cut short or lacks its topology', async () => {
    const dir = path.join(tmp(), 'bad');
    await saveModel(twoHeaded(), dir);
    const file = path.join(dir, 'model.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length / 2));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ weightsManifest: [] }));
    await expect(loadModel(dir)).rejects.toThrow(/no modelTopology/);
  });

  describe('weight paths and sizes from an untrusted model.json', () => {
    /** a saved model whose manifest is rewritten to name `paths` */
    async function withPaths(paths: string[]): Promise<string> {
      const dir = path.join(tmp(), 'm');
      await saveModel(twoHeaded(), dir);
      const file = path.join(dir, 'model.json');
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      json.weightsManifest[0].paths = paths;
      fs.writeFileSync(file, JSON.stringify(json));
      return dir;
    }

    it('refuses a path out of the folder, even to a file of exactly the right size', async () => {
      const dir = await withPaths(['../outside.bin']);
      // the right 32 bytes, so only the path check can refuse it
      fs.copyFileSync(path.join(dir, 'weights.bin'), path.join(dir, '..', 'outside.bin'));
      await expect(loadModel(dir)).rejects.toThrow(/paths\[0\] '\.\.\/outside\.bin' leaves the version folder/);
      const deep = await withPaths(['../../../../../../../../etc/hostname']);
      await expect(loadModel(deep)).rejects.toThrow(/leaves the version folder/);
    });

    it('refuses absolute paths, /dev/zero among them, before reading a byte', async () => {
      for (const p of ['/dev/zero', '/etc/hostname']) {
        const dir = await withPaths([p]);
        await expect(loadModel(dir)).rejects.toThrow(
          /is an absolute path; weights must be files inside the version folder/,
        );
      }
    });

    it('refuses a symlink that leaves the folder, and follows one that stays inside', async () => {
      const dir = await withPaths(['weights.bin']);
      const outside = path.join(dir, '..', 'elsewhere.bin');
      fs.renameSync(path.join(dir, 'weights.bin'), outside);
      fs.symlinkSync(outside, path.join(dir, 'weights.bin'));
      await expect(loadModel(dir)).rejects.toThrow(/'weights\.bin' leaves the version folder through a symlink/);
      fs.rmSync(path.join(dir, 'weights.bin'));
      fs.renameSync(outside, path.join(dir, 'real.bin'));
      fs.symlinkSync('real.bin', path.join(dir, 'weights.bin'));
      expect((await loadModel(dir)).countParams()).toBe(8);
    });

    it('refuses a model.json or weights file that is not a regular file', async () => {
      const dir = await withPaths(['weights.bin']);
      fs.rmSync(path.join(dir, 'weights.bin'));
      fs.mkdirSync(path.join(dir, 'weights.bin'));
      await expect(loadModel(dir)).rejects.toThrow(/'weights\.bin' is not a regular file/);
      const zero = await withPaths(['weights.bin']);
      fs.rmSync(path.join(zero, 'model.json'));
      fs.symlinkSync('/dev/zero', path.join(zero, 'model.json'));
      await expect(loadModel(zero)).rejects.toThrow(/model\.json' leaves the version folder through a symlink/);
    });

    it('refuses weights larger than the manifest says', async () => {
      const dir = await withPaths(['weights.bin']);
      fs.appendFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(1 << 20));
      await expect(loadModel(dir)).rejects.toThrow(/needs 32 bytes but weights\.bin hold 1048608/);
    });

    it('refuses a manifest whose shapes or dtypes give no byte size', async () => {
      const dir = await withPaths(['weights.bin']);
      const file = path.join(dir, 'model.json');
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      json.weightsManifest[0].weights[0].shape = [-1, 1];
      fs.writeFileSync(file, JSON.stringify(json));
      await expect(loadModel(dir)).rejects.toThrow(/weights\[0\]: shape \[-1,1\] is not a list of sizes/);
      json.weightsManifest[0].weights[0].shape = [3, 1];
      json.weightsManifest[0].weights[0].dtype = 'string';
      fs.writeFileSync(file, JSON.stringify(json));
      await expect(loadModel(dir)).rejects.toThrow(/dtype 'string' is not supported/);
    });
  });
});
