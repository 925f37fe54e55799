/**
 * The contract between the model server's core and its two faces (REST JSON and gRPC
 * TensorProto). Both faces parse their wire format into these shapes, call one `ServingCore`,
 * and render its answers back; so a prediction over REST and over gRPC is the same call and
 * gives the same numbers. Types only: the core lives in serving-core.ts, the faces in server.ts
 * (REST) and grpc/ (gRPC).
 *
 * Names and codes follow TF Serving: dtypes are TensorFlow's `DT_*` enum names, shapes are
 * batch-first with -1 for "any", errors carry the canonical gRPC status code that TF Serving's
 * REST handler turns into an HTTP status (see `ServingError` in http-errors.ts).
 */

/** TensorFlow dtypes a request or response tensor may carry. */
export type DType = 'DT_FLOAT' | 'DT_DOUBLE' | 'DT_INT32' | 'DT_INT64' | 'DT_STRING' | 'DT_BOOL';

/**
 * A dense tensor, row-major. DT_STRING values are raw bytes (gRPC carries bytes; REST's plain
 * strings are UTF-8 encoded, `{"b64": ...}` decoded); DT_INT64 values are numbers when safe.
 */
export interface Tensor {
  dtype: DType;
  /** full shape, batch first */
  shape: number[];
  values: number[] | boolean[] | Uint8Array[];
  /**
   * Flat, like values: true where a value is missing (REST `null`; NaN in a DT_FLOAT raw
   * feature means the same). Only a Model's raw features may be missing: its transform fills
   * them (or refuses, naming the row). Absent: nothing is missing.
   */
  missing?: boolean[];
}

/** TF Serving's ModelSpec: which model, and which version or label, a request asks for. */
export interface ModelSpec {
  name: string;
  version?: number;
  label?: string;
  /** empty or absent: `serving_default` */
  signatureName?: string;
}

/** The version a request was answered by (echoed back in every response's model_spec). */
export interface AnsweredBy {
  name: string;
  version: number;
  signatureName: string;
}

/** TF Serving's ModelVersionStatus.State names. */
export type VersionStateName = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END' | 'UNKNOWN';

export interface VersionStatus {
  version: number;
  state: VersionStateName;
  /** canonical gRPC code name, 'OK' when healthy */
  errorCode: GrpcCodeName;
  errorMessage: string;
}

/** One input or output of a signature, as TensorInfo describes it. */
export interface TensorInfo {
  /** the tensor's graph name, e.g. `serving_default_Island:0` */
  name: string;
  dtype: DType;
  /** batch first, -1 for any size; undefined: unknown rank */
  shape?: number[];
}

export interface SignatureDef {
  /** 'tensorflow/serving/predict' | 'tensorflow/serving/classify' | 'tensorflow/serving/regress' */
  methodName: string;
  inputs: Record<string, TensorInfo>;
  outputs: Record<string, TensorInfo>;
}

/** A tf.Example-like row for Classify/Regress: feature name -> its values. */
export type ExampleRow = Record<string, number[] | Uint8Array[]>;

export interface PredictRequest {
  spec: ModelSpec;
  inputs: Record<string, Tensor>;
  /** only these outputs (TF Serving's output_filter); empty: all */
  outputFilter?: string[];
  /** answer DEADLINE_EXCEEDED once the request has run this long (the gRPC deadline, --timeout-ms) */
  timeoutMs?: number;
}

/** A :classify or :regress request. */
export interface ExamplesRequest {
  spec: ModelSpec;
  examples: ExampleRow[];
  context?: ExampleRow;
  timeoutMs?: number;
}

export interface PredictResponse {
  answeredBy: AnsweredBy;
  outputs: Record<string, Tensor>;
}

export interface ClassifyResponse {
  answeredBy: AnsweredBy;
  /** per example, (label, score) for every class, as Classifications */
  results: { label: string; score: number }[][];
}

export interface RegressResponse {
  answeredBy: AnsweredBy;
  /** per example, its regression value */
  results: number[];
}

/** Canonical gRPC status code names (google.rpc.Code / grpc-js `status`). */
export type GrpcCodeName =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

/**
 * What both faces call. Every method throws `ServingError` (http-errors.ts) for a request at
 * fault (unknown model/version/label/signature, wrong dtype/shape, unknown feature, queue full),
 * with a message naming the model, input or row.
 */
export interface ServingCore {
  /** GetModelStatus: all versions newest first, or the one a version/label names */
  status(spec: ModelSpec): VersionStatus[];
  /** GetModelMetadata's signature_def map for the resolved version */
  metadata(spec: ModelSpec): { answeredBy: AnsweredBy; signatures: Record<string, SignatureDef> };
  predict(request: PredictRequest): Promise<PredictResponse>;
  /** `context` features are shared by every example (TF Serving's ExampleListWithContext) */
  classify(request: ExamplesRequest): Promise<ClassifyResponse>;
  regress(request: ExamplesRequest): Promise<RegressResponse>;
}
