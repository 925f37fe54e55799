/**
 * A real trained penguin Model served over real HTTP, asked as TF Serving clients ask: raw
 * features in (the saved transform applied by the server), TF Serving's response shapes out
 * (status, metadata, predict rows and columns, :classify with examples and context, b64, NaN
 * tokens), and every kind of bad request answered with the right 4xx while serving goes on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';
import { predictorOfFolder } from '../helpers/penguin-model.js';
import { penguinFixture, pushVersion, type PenguinFixture } from './penguin-fixture.js';

let penguins: PenguinFixture;
let server: RunningServer;
let repository: ModelRepository;
/** the eval rows' predictions computed in-process from the Model folder (no server) */
let expected: number[][];
let predictor: Awaited<ReturnType<typeof predictorOfFolder>>;

async function call(p: string, body?: unknown, init: RequestInit = {}) {
  const res = await fetch(server.url + p, {
    ...(body === undefined ? {} : { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...init,
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as any };
}

const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-5);

beforeAll(async () => {
  await ensureBackend();
  penguins = await penguinFixture();
  predictor = await predictorOfFolder(penguins.model);
  const out = await predictor.predictRows(penguins.requestRows);
  expected = Array.from({ length: out.rows }, (_, r) => out.values.slice(r * out.width, (r + 1) * out.width));
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-penguin-rest-'));
  pushVersion(penguins.model, base, 'penguin', 1, [{ instances: penguins.requestRows.slice(0, 4) }]);
  repository = new ModelRepository(base, { pollMs: 100 });
  await repository.start();
  server = await startServer({ repository, port: 0, host: '127.0.0.1', bodyLimit: 8 * 1024 * 1024 });
});

afterAll(async () => {
  await server?.close();
  await repository?.stop();
  predictor?.model.dispose();
});

describe('a Trainer Model over REST', () => {
  it('reports the version AVAILABLE and describes signatures like an exported Keras classifier', async () => {
    expect((await call('/v1/models/penguin')).json).toEqual({
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    const meta = (await call('/v1/models/penguin/metadata')).json;
    expect(meta.model_spec).toEqual({ name: 'penguin', signature_name: '', version: '1' });
    const defs = meta.metadata.signature_def.signature_def;
    expect(Object.keys(defs).sort()).toEqual(['classification', 'serving_default']);
    const sd = defs.serving_default;
    expect(sd.method_name).toBe('tensorflow/serving/predict');
    expect(Object.keys(sd.inputs).sort()).toEqual([...penguins.rawNames].sort());
    expect(sd.inputs.Island).toMatchObject({ dtype: 'DT_STRING', tensor_shape: { dim: [{ size: '-1' }] } });
    expect(sd.inputs['Beak Length (mm)'].dtype).toBe('DT_FLOAT');
    // the Schema types body mass as int: an int64 input, as a TFX export of an int feature
    expect(sd.inputs['Body Mass (g)'].dtype).toBe('DT_INT64');
    const out = Object.values(sd.outputs)[0] as any;
    expect(out.tensor_shape.dim.map((d: any) => d.size)).toEqual(['-1', String(penguins.classes.length)]);
    expect(defs.classification.method_name).toBe('tensorflow/serving/classify');
    expect(Object.keys(defs.classification.outputs).sort()).toEqual(['classes', 'scores']);
  });

  it('predicts from raw penguin features, rows and columns, as the Model folder does in-process', async () => {
    const rows = await call('/v1/models/penguin:predict', { instances: penguins.requestRows });
    expect(rows.status).toBe(200);
    const got = rows.json.predictions as number[][];
    expect(got).toHaveLength(expected.length);
    got.forEach((p, i) => expect(close(p, expected[i]!), `row ${i}`).toBe(true));
    // the served model is a useful one: argmax agrees with the eval labels
    const labelColumn = Object.keys(penguins.evalRows[0]!).find(
      (k) => k.toLowerCase() === penguins.label.toLowerCase(),
    )!;
    const hits = got.filter(
      (p, i) => penguins.classes[p.indexOf(Math.max(...p))] === penguins.evalRows[i]![labelColumn],
    );
    expect(hits.length / got.length).toBeGreaterThan(0.8);
    const columns = Object.fromEntries(penguins.rawNames.map((n) => [n, penguins.requestRows.map((r) => r[n])]));
    const cols = await call('/v1/models/penguin/versions/1:predict', {
      signature_name: 'serving_default',
      inputs: columns,
    });
    expect(cols.status).toBe(200);
    (cols.json.outputs as number[][]).forEach((p, i) => expect(close(p, expected[i]!)).toBe(true));
  });

  it("answers the README's curl body (raw measurements, as a user types them)", async () => {
    const readme = {
      instances: [
        {
          Island: 'Biscoe',
          Sex: 'FEMALE',
          'Beak Length (mm)': 45.2,
          'Beak Depth (mm)': 14.8,
          'Flipper Length (mm)': 212,
          'Body Mass (g)': 5200,
        },
      ],
    };
    const r = await call('/v1/models/penguin:predict', readme);
    expect(r.status, r.text).toBe(200);
    const [p] = r.json.predictions as number[][];
    expect(p).toHaveLength(penguins.classes.length);
    expect(p!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // a long-beaked, shallow-billed heavy Biscoe penguin is a Gentoo
    expect(penguins.classes[p!.indexOf(Math.max(...p!))]).toBe('Gentoo');
  });

  it('writes floats at float32 precision with a trailing .0, as TF Serving does', async () => {
    const r = await call('/v1/models/penguin:predict', { instances: penguins.requestRows.slice(0, 1) });
    const numbers = r.text.match(/-?\d[\d.e+-]*/g)!;
    for (const n of numbers) {
      expect(n.includes('.') || n.includes('e'), n).toBe(true);
      expect(
        n
          .replace(/e.*/, '')
          .replace(/^-?0\./, '')
          .replace('.', '').length,
        n,
      ).toBeLessThanOrEqual(9);
    }
  });

  it('takes {"b64": ...} for a string feature and the NaN token for a missing float', async () => {
    const row = penguins.requestRows.find((r) => r['Beak Length (mm)'] !== null && r.Island !== null)!;
    const i = penguins.requestRows.indexOf(row);
    const b64 = { ...row, Island: { b64: Buffer.from(String(row.Island)).toString('base64') } };
    const r = await call('/v1/models/penguin:predict', { instances: [b64] });
    expect(close(r.json.predictions[0], expected[i]!)).toBe(true);
    const asNull = await call('/v1/models/penguin:predict', { instances: [{ ...row, 'Beak Length (mm)': null }] });
    const text = JSON.stringify({ instances: [{ ...row, 'Beak Length (mm)': 0 }] }).replace(
      '"Beak Length (mm)":0',
      '"Beak Length (mm)":NaN',
    );
    const asNaN = await call('/v1/models/penguin:predict', text);
    expect(asNaN.status).toBe(200);
    expect(asNaN.json.predictions).toEqual(asNull.json.predictions);
    // the transform filled the missing value as it does in-process
    const inProcess = await predictor.predictRows([{ ...row, 'Beak Length (mm)': null }]);
    expect(close(asNull.json.predictions[0], inProcess.values)).toBe(true);
  });

  it('classifies examples (with a shared context) into classes and scores, under results', async () => {
    const examples = penguins.requestRows
      .slice(0, 5)
      .map((r) => Object.fromEntries(Object.entries(r).filter(([k, v]) => k !== 'Island' && v !== null)));
    const sameIsland = penguins.requestRows.slice(0, 5).every((r) => r.Island === penguins.requestRows[0]!.Island);
    const context = sameIsland ? { Island: penguins.requestRows[0]!.Island } : undefined;
    const body = context
      ? { signature_name: 'classification', examples, context }
      : {
          signature_name: 'classification',
          examples: penguins.requestRows
            .slice(0, 5)
            .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null))),
        };
    const r = await call('/v1/models/penguin:classify', body);
    expect(r.status, r.text).toBe(200);
    const results = r.json.results as [string, number][][];
    expect(results).toHaveLength(5);
    results.forEach((classes, i) => {
      expect(classes.map((c) => c[0])).toEqual(penguins.classes);
      // rows with missing values were sent without them: compare only complete rows
      if (Object.values(penguins.requestRows[i]!).every((v) => v !== null))
        expect(
          close(
            classes.map((c) => c[1]),
            expected[i]!,
          ),
        ).toBe(true);
    });
    // whole eval rows, label included, classify too
    const whole = penguins.evalRows
      .slice(0, 2)
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
    expect(
      (await call('/v1/models/penguin:classify', { signature_name: 'classification', examples: whole })).status,
    ).toBe(200);
    const typo = await call('/v1/models/penguin:classify', {
      signature_name: 'classification',
      examples: [{ ...examples[0], Islnd: 'Dream' }],
    });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toMatch(/examples\[0\]: unknown feature 'Islnd'/);
    const noSig = await call('/v1/models/penguin:classify', { examples });
    expect(noSig.status).toBe(400);
    expect(noSig.json.error).toMatch(
      /Expected classification signature method_name .* \(send "signature_name": "classification"\)/,
    );
    const regress = await call('/v1/models/penguin:regress', { signature_name: 'regression', examples });
    expect(regress.status).toBe(400);
    expect(regress.json.error).toMatch(/No signature was found with the name: regression/);
  });
});

describe('bad requests to a Trainer Model', () => {
  const good = () => penguins.requestRows[0]!;
  it('answers each with the right 4xx and a message naming the problem, and keeps serving', async () => {
    const cases: [unknown, number, RegExp][] = [
      ['{"instances": [', 400, /JSON Parse error/],
      [{ instances: [{ ...good(), Wingspan: 3 }] }, 400, /does not have named input: Wingspan/],
      [
        { instances: [{ ...good(), 'Beak Length (mm)': 'long' }] },
        400,
        /instances\[0\]\.Beak Length \(mm\): JSON Value: "long" Type: String is not of expected type: float/,
      ],
      [
        { instances: [{ ...good(), 'Body Mass (g)': 4200.5 }] },
        400,
        /Body Mass \(g\): JSON Value: 4200.5 Type: Number is not of expected type: int64/,
      ],
      [
        { instances: [{ ...good(), Island: 7 }] },
        400,
        /Island: JSON Value: 7 Type: Number is not of expected type: string/,
      ],
      [
        { instances: [{ ...good(), 'Body Mass (g)': [1, 2] }] },
        400,
        /input 'Body Mass \(g\)' expects shape \[-1\] but got \[1,2\]/,
      ],
      [{ instances: [Object.fromEntries(Object.entries(good()).slice(1))] }, 400, /missing input/],
      [{ signature_name: 'nope', instances: [good()] }, 400, /Serving signature name: "nope" not found/],
      [{ signature_name: 'classification', instances: [good()] }, 400, /send its requests to :classify/],
      [`{"instances": ${'['.repeat(5000)}${']'.repeat(5000)}}`, 400, /nests deeper than 64 levels/],
    ];
    for (const [body, code, msg] of cases) {
      const r = await call('/v1/models/penguin:predict', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(code);
      expect(r.json.error, JSON.stringify(body).slice(0, 80)).toMatch(msg);
    }
    for (const [p, code, msg] of [
      ['/v1/models/walrus:predict', 404, /Servable not found for request: Latest\(walrus\)/],
      ['/v1/models/penguin/versions/7:predict', 404, /has no version 7/],
      ['/v1/models/penguin/labels/gold:predict', 400, /Unrecognized servable version label: gold/],
      ['/v1/models/..%2F..%2Fetc:predict', 400, /invalid model name '\.\.\/\.\.\/etc'/],
    ] as const) {
      const r = await call(p, { instances: [good()] });
      expect(r.status, p).toBe(code);
      expect(r.json.error, p).toMatch(msg);
    }
    expect((await call('/v1/models/penguin:predict', { instances: [good()] })).status).toBe(200);
  });

  it('refuses a 100 MB body with 413 without reading it all, and keeps serving', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    const body = new ReadableStream({
      pull(c) {
        if (sent++ >= 100) c.close();
        else c.enqueue(chunk);
      },
    });
    const res = await fetch(`${server.url}/v1/models/penguin:predict`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit).catch((err: Error) => err);
    // the server may answer before the upload ends, or cut the connection once over its limit
    if (!(res instanceof Error)) {
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /larger than this server's limit of 8388608 bytes/,
      );
    }
    expect(sent).toBeLessThan(100);
    expect((await call('/v1/models/penguin:predict', { instances: [good()] })).status).toBe(200);
  });
});
