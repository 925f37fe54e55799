/**
 * A Node gRPC client for TF Serving's API (this server's or TF Serving's own): the benchmark's
 * load generator and the tests use it. Requests and answers are the plain objects
 * definitions.ts describes (camelCase fields, enums by name or number).
 */
import * as grpc from '@grpc/grpc-js';
import { definitionOf, MODEL_SERVICE, modelRoot, PREDICTION_SERVICE, predictionRoot } from './definitions.js';

export type GrpcMethod = 'Predict' | 'Classify' | 'Regress' | 'GetModelMetadata' | 'GetModelStatus';

export interface TfServingClient {
  /** one unary call; rejects with grpc-js' ServiceError (its `code` is the status) */
  call(method: GrpcMethod, request: object, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, answer?: Record<string, unknown>) => void) => void;

/** A client for `address` (host:port), sending `authorization: Bearer <token>` when given. */
export function tfServingClient(address: string, options: { token?: string } = {}): TfServingClient {
  const Prediction = grpc.makeGenericClientConstructor(definitionOf(predictionRoot(), PREDICTION_SERVICE), 'PredictionService');
  const Model = grpc.makeGenericClientConstructor(definitionOf(modelRoot(), MODEL_SERVICE), 'ModelService');
  const credentials = grpc.credentials.createInsecure();
  const prediction = new Prediction(address, credentials, { 'grpc.max_receive_message_length': 256 << 20 });
  // the second client shares the first one's channel
  const model = new Model(address, credentials, { channelOverride: prediction.getChannel() });
  const metadata = new grpc.Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  return {
    call: (method, request, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const client = (method === 'GetModelStatus' ? model : prediction) as unknown as Record<string, Unary>;
        client[method]!.call(client, request, metadata, { deadline: Date.now() + timeoutMs }, (err, answer) => (err ? reject(err) : resolve(answer!)));
      }),
    close: () => {
      model.close();
      prediction.close();
    },
  };
}
