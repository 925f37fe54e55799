/**
 * The gRPC face of the model server: TF Serving's PredictionService (Predict, Classify, Regress,
 * GetModelMetadata) and ModelService.GetModelStatus, on @grpc/grpc-js, from the .proto files in
 * schemas/proto (TF Serving's own packages and field numbers, so its Python client and any stub
 * generated from TF Serving's protos talk to this server unchanged). Every call parses its
 * message into the serving contract, asks the one ServingCore the REST face asks too, and
 * renders the answer back; errors keep their canonical code (status.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { definitionOf, modelRoot, predictionRoot } from './definitions.js';
import type { ServingCore } from '../servable.js';
import {
  examplesFrom,
  inputsFrom,
  modelSpecFrom,
  modelSpecOf,
  outputsOf,
  signatureDefMapOf,
  versionStatusOf,
  type InputObject,
  type ModelSpecObject,
} from './messages.js';
import { invalidArgument, toServiceError } from './status.js';
import type { TensorProtoObject } from './tensor-proto.js';

export interface GrpcServerOptions {
  core: ServingCore;
  /** 0: any free port (the answer says which) */
  port: number;
  /** default 127.0.0.1: reachable from this machine only unless asked */
  host?: string;
  /** when set, every call must carry metadata `authorization: Bearer <token>` */
  token?: string;
  /** largest request or response message; default 256 MiB (TF Serving lifts gRPC's 4 MiB default too) */
  maxMessageBytes?: number;
}

export interface RunningGrpcServer {
  port: number;
  /** stop taking calls, let running ones finish (up to `graceMs`, default 5 s), then stop */
  close(graceMs?: number): Promise<void>;
}

const SIGNATURE_DEF_MAP_URL = 'type.googleapis.com/tensorflow.serving.SignatureDefMap';
/** Constant-time check of the bearer token in a call's metadata. */
function authorized(metadata: grpc.Metadata, token: string): boolean {
  const got = metadata.get('authorization')[0];
  if (typeof got !== 'string') return false;
  const a = Buffer.from(got);
  const b = Buffer.from(`Bearer ${token}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

type Handler = (request: Record<string, unknown>) => unknown;
type Api = 'predict' | 'classify' | 'regress' | 'metadata' | 'status';
/** serving-core.ts's metrics hook, when the core has it: one report per request, entrypoint GRPC */
type Track = (api: Api, entrypoint: 'GRPC', model: string, fn: () => unknown) => Promise<unknown>;

/** A unary grpc-js handler around `fn`: auth first, then any throw becomes its status. */
function unary(fn: Handler, api: Api, token: string | undefined, track?: Track): grpc.handleUnaryCall<Record<string, unknown>, unknown> {
  return (call, callback) => {
    if (token !== undefined && !authorized(call.metadata, token)) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token: send metadata "authorization: Bearer <token>"' });
      return;
    }
    const model = String((call.request.modelSpec as { name?: string } | undefined)?.name ?? '');
    Promise.resolve()
      .then(() => (track ? track(api, 'GRPC', model, () => fn(call.request)) : fn(call.request)))
      .then(
        (answer) => callback(null, answer),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}

/** The four PredictionService calls and GetModelStatus over `core`. */
function handlers(core: ServingCore, root: protobuf.Root) {
  const signatureDefMap = root.lookupType('tensorflow.serving.SignatureDefMap');
  // protobufjs swaps in its bundled google/protobuf/any.proto, whose field keeps proto's snake_case
  const typeUrl = root.lookupType('google.protobuf.Any').fields.typeUrl ? 'typeUrl' : 'type_url';
  const spec = (r: Record<string, unknown>) => modelSpecFrom(r.modelSpec as ModelSpecObject | undefined);
  return {
    Predict: async (r: Record<string, unknown>) => {
      const answer = await core.predict({
        spec: spec(r),
        inputs: inputsFrom(r.inputs as Record<string, TensorProtoObject> | undefined),
        outputFilter: (r.outputFilter as string[] | undefined) ?? [],
      });
      return { modelSpec: modelSpecOf(answer.answeredBy), outputs: outputsOf(answer.outputs) };
    },
    Classify: async (r: Record<string, unknown>) => {
      const answer = await core.classify({ spec: spec(r), ...examplesFrom(r.input as InputObject | undefined) });
      const classifications = answer.results.map((classes) => ({ classes }));
      return { modelSpec: modelSpecOf(answer.answeredBy), result: { classifications } };
    },
    Regress: async (r: Record<string, unknown>) => {
      const answer = await core.regress({ spec: spec(r), ...examplesFrom(r.input as InputObject | undefined) });
      const regressions = answer.results.map((value) => ({ value }));
      return { modelSpec: modelSpecOf(answer.answeredBy), result: { regressions } };
    },
    GetModelMetadata: (r: Record<string, unknown>) => {
      const modelSpec = spec(r);
      // TF Serving's own checks, in its words
      const fields = (r.metadataField as string[] | undefined) ?? [];
      if (fields.length === 0) throw invalidArgument('GetModelMetadataRequest must specify at least one metadata_field');
      const unknown = fields.find((f) => f !== 'signature_def');
      if (unknown !== undefined) throw invalidArgument(`Metadata field ${unknown} is not supported`);
      const { answeredBy, signatures } = core.metadata(modelSpec);
      const value = signatureDefMap.encode(signatureDefMapOf(signatures)).finish();
      return { modelSpec: modelSpecOf(answeredBy), metadata: { signature_def: { [typeUrl]: SIGNATURE_DEF_MAP_URL, value } } };
    },
    GetModelStatus: (r: Record<string, unknown>) => ({ modelVersionStatus: core.status(spec(r)).map(versionStatusOf) }),
  };
}

/**
 * Serve `core` over gRPC on host:port (TF Serving's default port is 8500).
 *
 * @example
 * const grpcServer = await startGrpcServer({ core, port: 8500 });
 * // python: stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel('localhost:8500'))
 * await grpcServer.close();
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { core, token } = options;
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxMessageBytes ?? 256 * 1024 * 1024;
  const h = handlers(core, predictionRoot());
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes, 'grpc.max_send_message_length': maxBytes });
  const trackable = core as ServingCore & { track?: Track };
  const track = typeof trackable.track === 'function' ? trackable.track.bind(core) : undefined;
  server.addService(definitionOf(predictionRoot(), 'tensorflow.serving.PredictionService'), {
    Predict: unary(h.Predict, 'predict', token, track),
    Classify: unary(h.Classify, 'classify', token, track),
    Regress: unary(h.Regress, 'regress', token, track),
    GetModelMetadata: unary(h.GetModelMetadata, 'metadata', token, track),
  });
  server.addService(definitionOf(modelRoot(), 'tensorflow.serving.ModelService'), { GetModelStatus: unary(h.GetModelStatus, 'status', token, track) });
  // an IPv6 literal needs brackets in the address grpc-js parses
  const address = host.includes(':') ? `[${host}]:${options.port}` : `${host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
