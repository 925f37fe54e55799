/**
 * TFMD Schema messages as plain objects, as protobufjs's toObject gives them for
 * schemas/proto/schema.proto: camelCase field names, enums as names, only the fields that
 * are set (proto2: "unset" and "0" differ), map fields as objects keyed by the map key.
 */

/**
 * An int64/uint64 field. A number; a value past Number.MAX_SAFE_INTEGER (e.g. INT64_MAX as
 * an open bound) is kept exact as its decimal string, which protobufjs encodes exactly and
 * which compares with numbers correctly in JS.
 */
export type Int64 = number;

export type FeatureType = 'TYPE_UNKNOWN' | 'BYTES' | 'INT' | 'FLOAT' | 'STRUCT';
export type LifecycleStage =
  | 'UNKNOWN_STAGE'
  | 'PLANNED'
  | 'ALPHA'
  | 'BETA'
  | 'PRODUCTION'
  | 'DEPRECATED'
  | 'DEBUG_ONLY'
  | 'DISABLED'
  | 'VALIDATION_DERIVED';

export interface Path {
  step?: string[];
}
export interface FeaturePresence {
  minFraction?: number;
  minCount?: Int64;
}
export interface ValueCount {
  min?: Int64;
  max?: Int64;
}
export interface FixedShape {
  dim: { size?: Int64; name?: string }[];
}

export interface IntDomain {
  name?: string;
  min?: Int64;
  max?: Int64;
  isCategorical?: boolean;
}
export interface FloatDomain {
  name?: string;
  min?: number;
  max?: number;
  disallowNan?: boolean;
  disallowInf?: boolean;
  isEmbedding?: boolean;
  isCategorical?: boolean;
  embeddingDim?: Int64;
  embeddingType?: string;
}
export interface StringDomain {
  name?: string;
  value: string[];
  isCategorical?: 'CATEGORICAL_UNSPECIFIED' | 'CATEGORICAL_YES' | 'CATEGORICAL_NO';
}
export interface BoolDomain {
  name?: string;
  trueValue?: string;
  falseValue?: string;
}
export interface StructDomain {
  feature?: Feature[];
  sparseFeature?: SparseFeature[];
}
export interface SequenceValueConstraints {
  intValue?: Int64;
  stringValue?: string;
  minPerSequence?: Int64;
  maxPerSequence?: Int64;
  minFractionOfSequences?: number;
  maxFractionOfSequences?: number;
}
export interface NaturalLanguageDomain {
  vocabulary?: string;
  coverage?: {
    minCoverage?: number;
    minAvgTokenLength?: number;
    excludedStringTokens?: string[];
    excludedIntTokens?: Int64[];
    oovStringTokens?: string[];
  };
  tokenConstraints?: SequenceValueConstraints[];
  sequenceLengthConstraints?: {
    excludedIntValue?: Int64[];
    excludedStringValue?: string[];
    minSequenceLength?: Int64;
    maxSequenceLength?: Int64;
  };
}
export interface ImageDomain {
  minimumSupportedImageFraction?: number;
  maxImageByteSize?: Int64;
}
export interface TimeDomain {
  stringFormat?: string;
  integerFormat?: 'FORMAT_UNKNOWN' | 'UNIX_DAYS' | 'UNIX_SECONDS' | 'UNIX_MILLISECONDS' | 'UNIX_MICROSECONDS' | 'UNIX_NANOSECONDS';
}
export interface TimeOfDayDomain {
  stringFormat?: string;
  integerFormat?: 'FORMAT_UNKNOWN' | 'PACKED_64_NANOS';
}

export interface FeatureComparator {
  infinityNorm?: { threshold?: number };
  jensenShannonDivergence?: { threshold?: number; source?: { type?: 'DEFAULT' | 'QUANTILES' | 'STANDARD' } };
  normalizedAbsDifference?: { threshold?: number };
}
/** google.protobuf.Any: its field names are snake_case (protobufjs's bundled definition). */
export interface Any {
  type_url?: string;
  value?: Uint8Array;
}
export interface Annotation {
  tag?: string[];
  comment?: string[];
  extraMetadata?: Any[];
}
export interface DerivedFeatureSource {
  deriverName?: string;
  description?: string;
  sourcePath?: Path[];
  declarativelyConfigured?: boolean;
  /** one of allowlist, argmaxTopK, reduceOp, sliceSql, imageQuality (see derived-feature.proto) */
  config?: Record<string, unknown>;
}
export interface SequenceMetadata {
  sequentialStatus?: 'SEQUENTIAL_UNSPECIFIED' | 'SEQUENTIAL_YES' | 'SEQUENTIAL_NO';
  jointGroup?: string;
  sequenceTruncationLimit?: Int64;
}

export interface Feature {
  name: string;
  /** superseded by lifecycleStage */
  deprecated?: boolean;
  // oneof presence_constraints
  presence?: FeaturePresence;
  groupPresence?: { required?: boolean };
  // oneof shape_type
  shape?: FixedShape;
  valueCount?: ValueCount;
  valueCounts?: { valueCount?: ValueCount[] };
  type?: FeatureType;
  // oneof domain_info
  /** name of a Schema.stringDomain */
  domain?: string;
  intDomain?: IntDomain;
  floatDomain?: FloatDomain;
  stringDomain?: StringDomain;
  boolDomain?: BoolDomain;
  structDomain?: StructDomain;
  naturalLanguageDomain?: NaturalLanguageDomain;
  imageDomain?: ImageDomain;
  midDomain?: Record<string, never>;
  urlDomain?: Record<string, never>;
  timeDomain?: TimeDomain;
  timeOfDayDomain?: TimeOfDayDomain;

  distributionConstraints?: { minDomainMass?: number };
  annotation?: Annotation;
  skewComparator?: FeatureComparator;
  driftComparator?: FeatureComparator;
  inEnvironment?: string[];
  notInEnvironment?: string[];
  lifecycleStage?: LifecycleStage;
  uniqueConstraints?: { min?: Int64; max?: Int64 };
  validationDerivedSource?: DerivedFeatureSource;
  sequenceMetadata?: SequenceMetadata;
}

export interface SparseFeature {
  name?: string;
  deprecated?: boolean;
  lifecycleStage?: LifecycleStage;
  presence?: FeaturePresence;
  denseShape?: FixedShape;
  indexFeature?: { name?: string }[];
  isSorted?: boolean;
  valueFeature?: { name?: string };
  type?: FeatureType;
}

export interface WeightedFeature {
  name?: string;
  feature?: Path;
  weightFeature?: Path;
  lifecycleStage?: LifecycleStage;
}

export interface NumericValueComparator {
  minFractionThreshold?: number;
  maxFractionThreshold?: number;
}
export interface DatasetConstraints {
  numExamplesDriftComparator?: NumericValueComparator;
  numExamplesVersionComparator?: NumericValueComparator;
  minExamplesCount?: Int64;
  maxExamplesCount?: Int64;
}

/** One of denseTensor, varlenSparseTensor, sparseTensor, raggedTensor (see tensor-representation.proto). */
export type TensorRepresentation = Record<string, unknown>;
export interface TensorRepresentationGroup {
  tensorRepresentation?: Record<string, TensorRepresentation>;
}

export interface Schema {
  feature: Feature[];
  sparseFeature?: SparseFeature[];
  weightedFeature?: WeightedFeature[];
  stringDomain?: StringDomain[];
  floatDomain?: FloatDomain[];
  intDomain?: IntDomain[];
  defaultEnvironment?: string[];
  representVariableLengthAsRagged?: boolean;
  annotation?: Annotation;
  datasetConstraints?: DatasetConstraints;
  tensorRepresentationGroup?: Record<string, TensorRepresentationGroup>;
}
