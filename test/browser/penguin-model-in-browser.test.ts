/**
 * The real thing in a real browser: the penguin model trained by the Trainer's executor in Node,
 * its Model folder (model.json, weights.bin, signature.json, transform/transform_graph.json)
 * served from 127.0.0.1, loaded by tsfx's browser bundle in headless Chromium, predicting from
 * the raw eval rows: the same probabilities as Node's predictor on the same folder, on wasm, cpu
 * and webgl, and the accuracy the Trainer recorded. Nothing is fetched from anywhere else.
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import type { BrowserBackendName, RawPredictions } from '../../src/ml/browser/index.js';
import { removeTempDirs } from '../components/example-gen/helpers.js';
import { browserBundle } from '../helpers/browser-bundle.js';
import {
  findChromium,
  type Harness,
  launchChromium,
  openHarness,
  type TsfxGlobal,
  WASM_PREFIX,
} from '../helpers/browser.js';
import { predictorOfFolder, trainPenguins, type TrainedPenguins } from '../helpers/penguin-model.js';

const TOLERANCE = 1e-5;

const chromium = findChromium();
const skip = 'skip' in chromium ? chromium.skip : undefined;

describe.skipIf(skip)(skip ? `penguin model in the browser (skipped: ${skip})` : 'penguin model in the browser', () => {
  let browser: Browser;
  let harness: Harness;
  let trained: TrainedPenguins;
  let node: RawPredictions;
  let nodeBackend: string;

  beforeAll(async () => {
    // esbuild builds in its own process while Node trains; openHarness takes the cached result
    browserBundle().catch(() => undefined);
    const started = await Promise.all([launchChromium((chromium as { path: string }).path), ensureBackend()]);
    browser = started[0];
    nodeBackend = started[1].name;
    trained = await trainPenguins();
    const predictor = await predictorOfFolder(trained.model);
    node = await predictor.predictRows(trained.evalRows);
    predictor.model.dispose();
    harness = await openHarness(browser, { folders: { '/model/': trained.model } });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
    await browser?.close();
    removeTempDirs();
  });

  /** Load the served Model folder in the page and predict the raw rows on the given backends. */
  const predictInPage = (order: BrowserBackendName[]) =>
    harness.page.evaluate(
      async ({ order, wasmPaths, rows }) => {
        const { tsfx } = globalThis as unknown as TsfxGlobal;
        const backend = await tsfx.useBackend({ order, wasmPaths });
        const predictor = await tsfx.loadModelFolder('/model/');
        try {
          return { backend, out: await predictor.predictRows(rows) };
        } finally {
          predictor.model.dispose();
        }
      },
      { order, wasmPaths: WASM_PREFIX, rows: trained.evalRows },
    );

  const expectNodeNumbers = (backend: string, out: RawPredictions) => {
    expect(out.rows).toBe(node.rows);
    expect(out.width).toBe(node.width);
    const diff = out.values.reduce((m, v, k) => Math.max(m, Math.abs(v - node.values[k]!)), 0);
    console.log(
      `[browser] penguin model on ${backend} vs Node (${nodeBackend}): largest difference ${diff.toExponential(2)}`,
    );
    expect(diff, backend).toBeLessThan(TOLERANCE);
    expect(out.classNames).toEqual(node.classNames);
  };

  it('predicts the raw eval rows on wasm as Node does, with the accuracy the Trainer recorded', async () => {
    const { backend, out } = await predictInPage(['wasm', 'cpu']);
    expect(backend.name, backend.reason).toBe('wasm');
    expectNodeNumbers('wasm', out);
    const species = trained.evalRows.map((r) => r.Species);
    const acc = out.classNames!.filter((n, i) => n === species[i]).length / out.rows;
    expect(trained.properties.final.val_accuracy).toBeGreaterThan(0.9);
    expect(acc).toBeCloseTo(trained.properties.final.val_accuracy!, 6);
    // three species predicted, so the numbers compared are not one constant row
    expect(new Set(out.classNames).size).toBe(3);
  });

  it('gives the same numbers on the cpu backend', async () => {
    const { backend, out } = await predictInPage(['cpu']);
    expect(backend.name).toBe('cpu');
    expectNodeNumbers('cpu', out);
  });

  it('gives the same numbers on webgl, where the page has it (headless Chromium: SwiftShader)', async (ctx) => {
    const result = await predictInPage(['webgl']).catch((err: Error) => {
      // only a backend that would not start is a reason to skip; anything else fails
      if (!err.message.includes('no tfjs backend initialised')) throw err;
      ctx.skip(`no webgl in this browser: ${err.message}`);
      throw err;
    });
    expect(result.backend.name).toBe('webgl');
    expectNodeNumbers('webgl', result.out);
  });

  it('fetched the Model folder and the wasm binary from its own server, and nothing else', () => {
    expect(harness.server.log).toEqual(
      expect.arrayContaining([
        'GET /model/signature.json 200',
        'GET /model/transform/transform_graph.json 200',
        'GET /model/model.json 200',
        'GET /model/weights.bin 200',
        `GET ${WASM_PREFIX}tfjs-backend-wasm-simd.wasm 200`,
      ]),
    );
    expect(harness.blocked).toEqual([]);
    expect(harness.requests.every((u) => u.startsWith(harness.origin + '/'))).toBe(true);
  });

  it('names the missing raw feature, the bad value and the absent folder file', async () => {
    const rows = trained.evalRows.slice(0, 2);
    const errors = await harness.page.evaluate(async (rows) => {
      const { tsfx } = globalThis as unknown as TsfxGlobal;
      const message = (p: Promise<unknown>) =>
        p.then(
          () => 'no error',
          (e: Error) => `${e.name}: ${e.message}`,
        );
      const predictor = await tsfx.loadModelFolder('/model');
      const noSex = rows.map((r) => ({ ...r }));
      delete noSex[1]!.Sex;
      const badMass = rows.map((r) => ({ ...r, 'Body Mass (g)': 'heavy' }));
      const out = [
        await message(predictor.predictRows(noSex)),
        await message(predictor.predictRows(badMass)),
        await message(tsfx.loadModelFolder('/nowhere/')),
      ];
      predictor.model.dispose();
      return out;
    }, rows);
    expect(errors[0]).toMatch(/^DataError: instance 1: raw feature 'Sex' missing/);
    expect(errors[1]).toBe(`DataError: instance 0 feature 'Body Mass (g)': expected a number, got "heavy"`);
    expect(errors[2]).toMatch(/^DataError: \/nowhere\/signature\.json: HTTP 404/);
  });
});
