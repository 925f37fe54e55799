/**
 * The gRPC face from a Node client: a real tfjs model behind it, the bearer token, TF Serving's
 * own request checks (ModelSpec, metadata_field, empty Input) with their canonical codes, and a
 * server that keeps answering after a message it cannot decode.
 */
import * as grpc from '@grpc/grpc-js';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoType } from '../../../src/io/proto.js';
import { ensureBackend } from '../../../src/ml/backend.js';
import { tfServingClient, type TfServingClient } from '../../../src/serving/grpc/client.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../src/serving/grpc/server.js';
import { layersCore, runModel } from '../../helpers/layers-core.js';

let model: tf.LayersModel;
let server: RunningGrpcServer;
let client: TfServingClient;
const TOKEN = 's3cret-token';

beforeAll(async () => {
  await ensureBackend();
  model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'd', activation: 'softmax' })] });
  server = await startGrpcServer({ core: layersCore('m', 7, model), port: 0, token: TOKEN });
  client = tfServingClient(`127.0.0.1:${server.port}`, { token: TOKEN });
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

const codeOf = (p: Promise<unknown>) => p.then(() => ['OK', ''], (e: grpc.ServiceError) => [grpc.status[e.code], e.details]);
const x = [0.5, -1, 2, 0.25, 1, 1, 1, 1];

describe('gRPC face', () => {
  it('answers Predict with the model\'s own numbers, from tensor_content and from float_val', async () => {
    const want = await runModel(model, { d_input: { dtype: 'DT_FLOAT', shape: [2, 4], values: x } });
    const shape = { dim: [{ size: 2 }, { size: 4 }] };
    const viaContent = await client.call('Predict', {
      modelSpec: { name: 'm' },
      inputs: { d_input: { dtype: 1, tensorShape: shape, tensorContent: new Uint8Array(Float32Array.from(x).buffer) } },
    });
    const viaVal = await client.call('Predict', { modelSpec: { name: 'm', version: { value: 7 } }, inputs: { d_input: { dtype: 1, tensorShape: shape, floatVal: x } } });
    for (const answer of [viaContent, viaVal]) {
      expect(answer.modelSpec).toEqual({ name: 'm', version: { value: 7 }, signatureName: 'serving_default' });
      const out = (answer.outputs as Record<string, { dtype: string; tensorShape: { dim: { size: number }[] }; tensorContent: Uint8Array }>).d!;
      expect(out.dtype).toBe('DT_FLOAT');
      expect(out.tensorShape.dim.map((d) => d.size)).toEqual([2, 3]);
      const c = out.tensorContent;
      expect(Array.from(new Float32Array(c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength)))).toEqual(want.d!.values);
    }
  });

  it('refuses a call without the bearer token, or with another, as UNAUTHENTICATED', async () => {
    const status = { modelSpec: { name: 'm' } };
    for (const other of [tfServingClient(`127.0.0.1:${server.port}`), tfServingClient(`127.0.0.1:${server.port}`, { token: 'wrong' })]) {
      const [code, details] = await codeOf(other.call('GetModelStatus', status));
      other.close();
      expect(code).toBe('UNAUTHENTICATED');
      expect(details).toMatch(/bearer token/);
    }
    const ok = await client.call('GetModelStatus', status);
    expect(ok.modelVersionStatus).toEqual([{ version: 7, state: 'AVAILABLE', status: {} }]);
  });

  it('gives TF Serving\'s codes for a bad spec, metadata field, empty input or unknown version', async () => {
    expect(await codeOf(client.call('Predict', { inputs: {} }))).toEqual(['INVALID_ARGUMENT', expect.stringMatching(/Missing ModelSpec/)]);
    expect(await codeOf(client.call('GetModelMetadata', { modelSpec: { name: 'm' } }))).toEqual(['INVALID_ARGUMENT', 'GetModelMetadataRequest must specify at least one metadata_field']);
    expect(await codeOf(client.call('GetModelMetadata', { modelSpec: { name: 'm' }, metadataField: ['signature_def', 'x'] }))).toEqual(['INVALID_ARGUMENT', 'Metadata field x is not supported']);
    expect(await codeOf(client.call('Classify', { modelSpec: { name: 'm' }, input: { exampleList: {} } }))).toEqual(['INVALID_ARGUMENT', expect.stringMatching(/Input is empty/)]);
    expect((await codeOf(client.call('Predict', { modelSpec: { name: 'm', version: { value: 8 } }, inputs: {} })))[0]).toBe('NOT_FOUND');
    const meta = await client.call('GetModelMetadata', { modelSpec: { name: 'm' }, metadataField: ['signature_def'] });
    const packed = (meta.metadata as Record<string, { type_url?: string; typeUrl?: string; value: Uint8Array }>).signature_def!;
    expect(packed.type_url ?? packed.typeUrl).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
    const map = protoType('tensorflow_serving/apis/get_model_metadata.proto', 'tensorflow.serving.SignatureDefMap');
    const sig = map.toObject(map.decode(packed.value), { longs: Number, enums: String }) as { signatureDef: Record<string, { methodName: string; inputs: Record<string, unknown> }> };
    expect(sig.signatureDef.serving_default!.methodName).toBe('tensorflow/serving/predict');
    expect(sig.signatureDef.serving_default!.inputs.d_input).toEqual({ name: 'd_input:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: -1 }, { size: 4 }] } });
  });

  it('keeps serving after a message it cannot decode', async () => {
    const raw = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    const garbage = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest('/tensorflow.serving.PredictionService/Predict', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0xff, 0xff, 0xff]), metadata, (err) => resolve(err)),
    );
    raw.close();
    expect(garbage?.code).not.toBe(grpc.status.OK);
    expect(garbage).not.toBeNull();
    expect(await client.call('GetModelStatus', { modelSpec: { name: 'm' } })).toHaveProperty('modelVersionStatus');
  });
});
