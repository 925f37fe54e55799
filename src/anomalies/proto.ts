/**
 * TFMD `Anomalies` as plain objects (protobufjs names: camelCase, enums as names) and its
 * binary wire form, from schemas/proto/anomalies.proto. The baseline schema inside is the
 * same Schema object src/schema works with.
 */
import type protobuf from 'protobufjs';
import type { Schema } from '../schema/index.js';
import { decodeMessage, protoType } from '../io/proto.js';

export type Severity = 'UNKNOWN' | 'WARNING' | 'ERROR';

/** AnomalyInfo.Type names (the ones tsfx reports; the .proto declares them all). */
export type AnomalyType =
  | 'SCHEMA_NEW_COLUMN'
  | 'SCHEMA_MISSING_COLUMN'
  | 'UNEXPECTED_DATA_TYPE'
  | 'ENUM_TYPE_UNEXPECTED_STRING_VALUES'
  | 'ENUM_TYPE_INVALID_UTF8'
  | 'FEATURE_TYPE_LOW_FRACTION_PRESENT'
  | 'FEATURE_TYPE_LOW_NUMBER_PRESENT'
  | 'FEATURE_TYPE_LOW_NUMBER_VALUES'
  | 'FEATURE_TYPE_HIGH_NUMBER_VALUES'
  | 'INVALID_FEATURE_SHAPE'
  | 'FLOAT_TYPE_HAS_NAN'
  | 'FLOAT_TYPE_HAS_INF'
  | 'FLOAT_TYPE_SMALL_FLOAT'
  | 'FLOAT_TYPE_BIG_FLOAT'
  | 'FLOAT_TYPE_STRING_NOT_FLOAT'
  | 'INT_TYPE_SMALL_INT'
  | 'INT_TYPE_BIG_INT'
  | 'INT_TYPE_NOT_INT_STRING'
  | 'BOOL_TYPE_SMALL_INT'
  | 'BOOL_TYPE_BIG_INT'
  | 'BOOL_TYPE_UNEXPECTED_FLOAT'
  | 'BOOL_TYPE_UNEXPECTED_STRING'
  | 'STATS_NOT_AVAILABLE'
  | 'VALUE_NESTEDNESS_MISMATCH'
  | 'FEATURE_MISSING_TYPE'
  | 'DOMAIN_INVALID_FOR_TYPE'
  | 'INVALID_DOMAIN_SPECIFICATION'
  | 'INVALID_SCHEMA_SPECIFICATION'
  | 'DATASET_LOW_NUM_EXAMPLES'
  | 'DATASET_HIGH_NUM_EXAMPLES'
  | 'COMPARATOR_L_INFTY_HIGH'
  | 'COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH'
  | 'COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH'
  | 'COMPARATOR_CONTROL_DATA_MISSING'
  | (string & {});

export interface Reason {
  type: AnomalyType;
  shortDescription: string;
  description: string;
}

export interface AnomalyInfo {
  path?: { step: string[] };
  severity: Severity;
  description: string;
  shortDescription: string;
  reason: Reason[];
}

export interface Measurement {
  type: 'L_INFTY' | 'JENSEN_SHANNON_DIVERGENCE' | 'NORMALIZED_ABSOLUTE_DIFFERENCE';
  value: number;
  threshold: number;
}

export interface DriftSkewInfo {
  path: { step: string[] };
  driftMeasurements?: Measurement[];
  skewMeasurements?: Measurement[];
}

export interface Anomalies {
  baseline?: Schema;
  /** how anomalyInfo is keyed: TFDV writes SERIALIZED_PATH (the feature path joined with '.') */
  anomalyNameFormat?: 'UNKNOWN' | 'SERIALIZED_PATH';
  anomalyInfo: Record<string, AnomalyInfo>;
  datasetAnomalyInfo?: AnomalyInfo;
  dataMissing?: boolean;
  driftSkewInfo?: DriftSkewInfo[];
}

export function anomaliesType(): protobuf.Type {
  return protoType('anomalies.proto', 'tensorflow.metadata.v0.Anomalies');
}

/**
 * Anomalies object -> TFMD binary (TFX's SchemaDiff.pb). Like TFDV's, it says anomalyInfo is
 * keyed by serialized feature path unless the dataset was empty (TFDV leaves it unset then);
 * the in-memory object and its JSON view leave that constant out.
 */
export function encodeAnomalies(a: Anomalies): Uint8Array {
  const T = anomaliesType();
  const withFormat: Anomalies = a.dataMissing || a.anomalyNameFormat ? a : { ...a, anomalyNameFormat: 'SERIALIZED_PATH' };
  return T.encode(T.fromObject(withFormat)).finish();
}

/** TFMD binary (ours or TFDV's) -> Anomalies object with only the fields that are set. */
export function decodeAnomalies(bytes: Uint8Array, file?: string): Anomalies {
  const T = anomaliesType();
  const msg = decodeMessage(T, bytes, file, 'TFMD Anomalies');
  const obj = T.toObject(msg, { enums: String, longs: Number }) as Anomalies;
  obj.anomalyInfo ??= {};
  for (const info of Object.values(obj.anomalyInfo)) info.reason ??= [];
  if (obj.baseline) obj.baseline.feature ??= [];
  return obj;
}

/** `feature:TYPE` per reason (dataset-level ones as `(dataset):TYPE`), sorted: a short, stable listing. */
export function anomalyList(a: Anomalies): string[] {
  const out: string[] = [];
  for (const [name, info] of Object.entries(a.anomalyInfo)) for (const r of info.reason) out.push(`${name}:${r.type}`);
  for (const r of a.datasetAnomalyInfo?.reason ?? []) out.push(`(dataset):${r.type}`);
  return out.sort();
}
