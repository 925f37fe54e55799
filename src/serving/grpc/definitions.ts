/**
 * grpc-js service definitions for TF Serving's two services, built from the .proto files in
 * schemas/proto with protobufjs doing the (de)serialising. The server and the Node client
 * (client.ts) share them, so both speak exactly the messages those files declare.
 */
import type * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { protoRoot } from '../../io/proto.js';

export const PREDICTION_SERVICE = 'tensorflow.serving.PredictionService';
export const MODEL_SERVICE = 'tensorflow.serving.ModelService';

export const predictionRoot = () => protoRoot('tensorflow_serving/apis/prediction_service.proto');
export const modelRoot = () => protoRoot('tensorflow_serving/apis/model_service.proto');

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String };

/** A grpc-js service definition for `serviceName`: decoded messages are plain objects (camelCase, longs as numbers, enums as names). */
export function definitionOf(root: protobuf.Root, serviceName: string): grpc.ServiceDefinition {
  const service = root.lookupService(serviceName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    const req = method.resolvedRequestType!;
    const res = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      originalName: method.name,
      requestStream: false,
      responseStream: false,
      requestSerialize: (o: object) => req.encode(o).finish() as Buffer,
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), TO_OBJECT),
      responseSerialize: (o: object) => res.encode(o).finish() as Buffer,
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), TO_OBJECT),
    };
  }
  return definition;
}

