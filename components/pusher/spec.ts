/**
 * Pusher's spec: a Model in, with the Evaluator's ModelBlessing and (optionally) the
 * InfraValidator's InfraBlessing, and a PushedModel out that says whether, where and as which
 * version the model was pushed to `{base}/{servingModel}/{version}/`, the layout `tsfx serve`
 * (and TF Serving) reads.
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';
import { SERVED_NAME } from '../../src/serving/version-folder.js';

export const PusherParams = z
  .object({
    /** the served model's name: a folder under `base`, the `{m}` of `/v1/models/{m}` */
    servingModel: z
      .string()
      .regex(SERVED_NAME, "a served model's name starts with a letter or digit and holds only letters, digits, '_', '.', '-'"),
    /** the model base `tsfx serve --model-base` reads; default $TSFX_HOME/serving (as `tsfx serve`); relative to the pipeline root */
    base: z.string().min(1).optional(),
    /** push even when not blessed (or the blessing names another model); the reason is recorded in provenance.json and history.jsonl */
    force: z
      .object({ reason: z.string().trim().min(1, 'a forced push needs a reason: force: { reason: "..." }') })
      .strict()
      .optional(),
  })
  .strict();
export type PusherParams = z.infer<typeof PusherParams>;

const inputs = {
  model: { type: 'Model' },
  /** the Evaluator's verdict; without it, only a forced push goes through */
  blessing: { type: 'ModelBlessing', optional: true },
  /** the InfraValidator's verdict; when wired, it must be blessed too, and its warm-up requests go along */
  infraBlessing: { type: 'InfraBlessing', optional: true },
} as const;
const outputs = { pushedModel: 'PushedModel' } as const;

export const pusherSpec = {
  name: 'Pusher',
  version: '1',
  inputs,
  outputs,
  params: PusherParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof PusherParams>;

export type PusherSpec = typeof pusherSpec;

/** Where the InfraValidator leaves its warm-up requests (a JSON array of REST :predict bodies). */
export const INFRA_WARMUP_FILE = 'warmup_requests.json';
/** A copy of the PushedModel's properties inside its own folder. */
export const PUSHED_FILE = 'pushed.json';

/** What a PushedModel records; `pushed` false comes with the reason. */
// a type alias: it must fit the artifact registry's open (passthrough) record
export type PushedModelProperties = {
  pushed: boolean;
  servingModel: string;
  /** the version folder, when pushed */
  destination: string | null;
  version: number | null;
  reason: string | null;
  forced: boolean;
  /** the Model artifact id */
  model: number;
  /** an earlier attempt of this execution had pushed the version already */
  reused?: boolean;
};
