/**
 * InfraValidator's spec (TFX's InfraValidator, LOAD_AND_QUERY mode): a Model and, optionally,
 * raw Examples in; an InfraBlessing out. The candidate is served by tsfx's own REST server in a
 * child process with a memory cap and a load-time limit, and queried with requests built from
 * the Examples' rows. Without Examples it only checks that the model loads (TFX's LOAD_ONLY).
 */
import { z } from 'zod';
import { defaultRetry, type ComponentSpec } from '../../src/dsl/component.js';

export const InfraValidatorParams = z
  .object({
    /** the split requests are built from (TFX's RequestSpec.split_name) */
    split: z.string().min(1).default('eval'),
    /** how many :predict requests are sent; each must answer 200 */
    numRequests: z.number().int().positive().max(1000).default(10),
    /** rows (instances) per request; a split with fewer rows gives fewer, shorter requests */
    rowsPerRequest: z.number().int().positive().max(10_000).default(1),
    /** keep the requests that succeeded as warmup_requests.json for the Pusher (TFX's make_warmup) */
    makeWarmup: z.boolean().default(true),
    /** memory cap of the serving process, MB: V8's heap limit and the process's data limit (prlimit --data) */
    memoryLimitMb: z.number().int().min(64).default(2048),
    /** from starting the process to the version being AVAILABLE (TFX's max_loading_time_seconds, 300 s) */
    maxLoadingTimeMs: z.number().int().positive().default(300_000),
    /** each request's limit, from sending to the whole answer read */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** fresh server processes tried before the model is not blessed (TFX's ValidationSpec.num_tries) */
    numTries: z.number().int().positive().max(20).default(5),
    /** the name the candidate is served under in the sandbox (TFX's ServingSpec.model_name default) */
    servingModelName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ., _ and - only')
      .default('infra-validation-model'),
  })
  .strict();
export type InfraValidatorParams = z.infer<typeof InfraValidatorParams>;

const inputs = {
  model: { type: 'Model' },
  /** raw Examples (not transformed): requests carry raw features, as clients send them */
  examples: { type: 'Examples', optional: true },
} as const;
const outputs = { blessing: 'InfraBlessing' } as const;

export const infraValidatorSpec = {
  name: 'InfraValidator',
  version: '1',
  inputs,
  outputs,
  params: InfraValidatorParams,
  queue: 'cpu',
  // a try that fails is retried inside the executor (numTries); Temporal retries only lost workers
  retry: defaultRetry,
  timeouts: { startToCloseMs: 3_600_000, heartbeatMs: 60_000 },
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof InfraValidatorParams>;

export type InfraValidatorSpec = typeof infraValidatorSpec;

/** TFX's marker files: exactly one of them is in the blessing folder. */
export const INFRA_BLESSED = 'INFRA_BLESSED';
export const INFRA_NOT_BLESSED = 'INFRA_NOT_BLESSED';
/** every try and request: status, latency, error */
export const REPORT_FILE = 'report.json';
/** the requests that succeeded, a JSON array of REST :predict bodies (Pusher: {version}/assets.extra/) */
export const WARMUP_FILE = 'warmup_requests.json';

/** One :predict request's outcome. */
export interface RequestOutcome {
  index: number;
  rows: number;
  /** HTTP status; 0 when no answer came (timeout, connection lost) */
  status: number;
  latencyMs: number;
  error?: string;
}

/** One server process: how it went. */
export interface TryOutcome {
  try: number;
  ok: boolean;
  reason?: string;
  /** from spawning the process to the version AVAILABLE */
  loadMs?: number;
  /** the process's exit as seen at the end: killed by us, or its own crash */
  exit?: { code: number | null; signal: string | null };
  requests: RequestOutcome[];
}

// a type alias, not an interface: it must fit the artifact registry's open (passthrough) record
export type InfraBlessingProperties = {
  blessed: boolean;
  /** the Model artifact validated */
  model: number;
  reason?: string;
  mode: 'LOAD_AND_QUERY' | 'LOAD_ONLY';
  tries: number;
  requests: number;
  /** how the memory cap was applied */
  memoryCap: string;
};
