/**
 * How a component is declared (spec), how it runs (executor, optional driver), and the
 * typed node factory a pipeline author calls: `StatisticsGen({ examples: gen.outputs.examples })`.
 *
 * The handle types carry the artifact type as a literal, so wiring an output of the wrong
 * type into an input is a compile error. Nothing here imports Temporal.
 */
import type { z } from 'zod';
import type { ArtifactProperties, ArtifactTypeName } from '../../schemas/artifacts.js';
import type { Queue, RetrySpec, TimeoutSpec } from '../../schemas/pipeline-spec.js';

export interface InputDecl<T extends ArtifactTypeName = ArtifactTypeName> {
  type: T;
  optional?: boolean;
}

export interface ComponentSpec<
  I extends Record<string, InputDecl> = Record<string, InputDecl>,
  O extends Record<string, ArtifactTypeName> = Record<string, ArtifactTypeName>,
  P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
> {
  name: string;
  /** bump when the executor's output for the same inputs changes: it is part of the cache key */
  version: string;
  inputs: I;
  outputs: O;
  params: P;
  queue: Queue;
  retry: RetrySpec;
  timeouts: TimeoutSpec;
  /** the implementation has a `fanOut` part: one activity per shard, merged by the executor */
  fanOut?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the any-spec constraint: `unknown` params/inputs would make concrete specs unassignable
export type AnyComponentSpec = ComponentSpec<any, any, any>;

/** An output of a node in a pipeline, typed by its artifact type. */
export interface OutputHandle<T extends ArtifactTypeName> {
  readonly artifactType: T;
  readonly node: ComponentNode<AnyComponentSpec>;
  readonly output: string;
}

type RequiredInputKeys<I> = { [K in keyof I]: I[K] extends { optional: true } ? never : K }[keyof I];
type OptionalInputKeys<I> = Exclude<keyof I, RequiredInputKeys<I>>;
type HandleOf<D> = D extends InputDecl<infer T> ? OutputHandle<T> : never;
// zod 4 types `z.object({})` input as Record<string, never>, which would forbid the input handles
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is what intersects cleanly with the input handles (see comment above)
type ParamsArg<P extends z.ZodType> = z.input<P> extends Record<string, never> ? {} : z.input<P>;

/** What the node factory takes: input handles plus the component's params. */
export type ComponentArgs<S extends AnyComponentSpec> = {
  [K in RequiredInputKeys<S['inputs']>]: HandleOf<S['inputs'][K]>;
} & {
  [K in OptionalInputKeys<S['inputs']>]?: HandleOf<S['inputs'][K]>;
} & ParamsArg<S['params']>;

/** Per-node settings a pipeline may override when adding the node. */
export interface NodeOptions {
  /** node id, unique in the pipeline; defaults to the component name */
  id?: string;
  /** false: always run this node's executor */
  cache?: boolean;
  queue?: Queue;
  /** on queue gpu with no GPU worker polling: run on cpu (default) or wait for one */
  whenNoGpu?: 'cpu' | 'wait';
  retry?: Partial<RetrySpec>;
  timeouts?: Partial<TimeoutSpec>;
  /**
   * Run only when the artifact behind `output` has `property` equal to `equals` (JSON values);
   * otherwise the node, and every node reading from it, is recorded SKIPPED, not failed.
   * @example p.add(Pusher({ model }), { when: { output: evaluator.outputs.blessing, property: 'blessed', equals: true } })
   */
  when?: { output: OutputHandle<ArtifactTypeName>; property: string; equals: unknown };
}

export interface ComponentNode<S extends AnyComponentSpec> {
  readonly spec: S;
  readonly args: Record<string, unknown>;
  readonly outputs: { [K in keyof S['outputs'] & string]: OutputHandle<S['outputs'][K]> };
  /** set when the node is added to a pipeline */
  id?: string;
  options: NodeOptions;
}

/**
 * Declare a component's node factory from its spec. `const S` keeps artifact type names literal
 * in an inline spec (no `as const` needed), so a wrong wiring fails to compile.
 */
export function defineComponent<const S extends AnyComponentSpec>(
  spec: S,
): (args: ComponentArgs<S>) => ComponentNode<S> {
  return (args) => {
    const node: ComponentNode<S> = { spec, args: args as Record<string, unknown>, outputs: {} as never, options: {} };
    const outputs: Record<string, OutputHandle<ArtifactTypeName>> = {};
    for (const [output, artifactType] of Object.entries(spec.outputs as Record<string, ArtifactTypeName>)) {
      outputs[output] = Object.freeze({ artifactType, node, output });
    }
    (node as { outputs: unknown }).outputs = Object.freeze(outputs);
    return node;
  };
}

export function isOutputHandle(v: unknown): v is OutputHandle<ArtifactTypeName> {
  return typeof v === 'object' && v !== null && 'artifactType' in v && 'node' in v && 'output' in v;
}

// ---- executor side ----

/** An input artifact as an executor sees it: already published, with a local path. */
export interface InputArtifact<T extends ArtifactTypeName = ArtifactTypeName> {
  id: number;
  type: T;
  uri: string;
  /** local folder holding the artifact's files */
  path: string;
  properties: ArtifactProperties<T>;
}

/** Where an executor writes one output: an empty local folder. */
export interface OutputLocation {
  type: ArtifactTypeName;
  uri: string;
  path: string;
  /**
   * the artifact id reserved for this output at prepare time (a sibling output may name it, as
   * a ModelBlessing names its ModelEvaluation); absent when an executor is called outside a run
   */
  id?: number;
}

export interface Progress {
  /** work done, in the unit of `total` (rows, bytes, files) */
  done?: number;
  total?: number;
  unit?: string;
  message?: string;
}

export interface ExecutorContext {
  pipelineName: string;
  nodeId: string;
  executionId: number;
  /** the pipeline run this execution belongs to (absent where an executor runs outside a run, e.g. a unit test) */
  runId?: string;
  /** folder relative paths in params resolve against */
  pipelineRoot: string;
  /**
   * A folder shared by every attempt of this execution (made on first use by the executor),
   * for state a retry resumes from, e.g. checkpoints. Attempts may overlap (a paused zombie),
   * so write files there atomically (temp + rename). Removed when the node is published.
   */
  workDir: string;
  /** report progress; the activity adapter turns it into a Temporal heartbeat (throttled) */
  heartbeat(progress: Progress): void;
  log(message: string): void;
  /** aborted when the run is canceled or the attempt timed out */
  signal: AbortSignal;
}

export interface ExecutorArgs<S extends AnyComponentSpec, R = unknown> {
  /** an optional input the pipeline left unwired (and no driver filled) is absent */
  inputs: InputArtifacts<S['inputs'], 'input'>;
  outputs: { [K in keyof S['outputs']]: OutputLocation };
  params: z.output<S['params']>;
  /** what the component's driver resolved (e.g. the span), if it has one */
  resolved: R;
  ctx: ExecutorContext;
  /**
   * For a fanned-out node: the shards its `fanOut.run` activities wrote, round by round in plan
   * order. The executor merges them instead of doing the work itself. Undefined when not fanned out.
   */
  shards?: ShardOutput[];
}

/** An input as the executor (InputArtifact) or the driver (FoundArtifact) sees it, typed by its declared artifact type, properties included. */
type InputOf<D, A extends 'input' | 'found'> =
  D extends InputDecl<infer T> ? (A extends 'found' ? FoundArtifact<T> : InputArtifact<T>) : never;

type InputArtifacts<I, A extends 'input' | 'found'> = {
  [K in RequiredInputKeys<I>]: InputOf<I[K], A>[];
} & {
  [K in OptionalInputKeys<I>]?: InputOf<I[K], A>[];
};

/** One shard's work item (from `fanOut.plan`) and the folder its activity wrote into. */
export interface ShardOutput {
  /** the fan-out round that ran it (0 unless the component plans several) */
  round: number;
  index: number;
  task: unknown;
  path: string;
}

type FanOutArgs<S extends AnyComponentSpec, R> = Pick<ExecutorArgs<S, R>, 'inputs' | 'params' | 'ctx' | 'resolved'> & {
  /** 0, 1, ...: a component with several rounds (Transform: analyze passes, then apply) plans each in turn */
  round: number;
  /** every earlier round's shards, their folders complete (round r reads what rounds < r wrote) */
  previous: ShardOutput[];
};

/**
 * The map side of a fanned-out component (StatisticsGen: one partial per Examples shard).
 * `plan` lists small JSON work items; each `run` is its own activity on the node's queue,
 * retried on its own, writing a partial result into an empty folder. `rounds` (default 1) runs
 * plan + runs again with the earlier rounds' outputs, before the executor merges them all.
 */
export interface FanOut<S extends AnyComponentSpec, R = unknown> {
  rounds?(params: z.output<S['params']>): number;
  plan(args: FanOutArgs<S, R>): Promise<unknown[]>;
  run(args: FanOutArgs<S, R> & { task: unknown; index: number; path: string }): Promise<void>;
}

/** An executor returns the properties of each output; the adapter validates and records them. */
export type ExecutorResult<S extends AnyComponentSpec> = {
  [K in keyof S['outputs']]: ArtifactProperties<S['outputs'][K]>;
};

export type Executor<S extends AnyComponentSpec, R = unknown> = (
  args: ExecutorArgs<S, R>,
) => Promise<ExecutorResult<S>>;

/** An artifact as a driver sees it: an input, or one found in the pipeline's metadata. */
export interface FoundArtifact<T extends ArtifactTypeName = ArtifactTypeName> extends InputArtifact<T> {
  /** "<node>.<output>" that produced it */
  name: string;
}

/**
 * The pipeline's metadata as a driver may read it (TFX's resolver strategies): past artifacts
 * of this pipeline, and outside files recorded as artifacts so lineage reaches them.
 */
export interface ArtifactLookup {
  /** LIVE artifacts of this pipeline, newest first; `producer` keeps those one node made */
  list<T extends ArtifactTypeName>(filter: { type: T; producer?: string; limit?: number }): Promise<FoundArtifact<T>[]>;
  /**
   * Record an outside file (a checked-in schema) as an ExternalArtifact made by an Importer
   * execution; the same path with the same properties (e.g. its sha256) is the same artifact.
   */
  importFile(file: string, properties: Record<string, unknown>): Promise<number>;
}

/**
 * A driver runs before the cache lookup (TFX's driver): it resolves what the params point at
 * outside tsfx (input files, the latest span) and fingerprints it for the cache key. It may
 * also fill optional inputs the pipeline left unwired from metadata (`inputs`: artifact ids
 * per input name), e.g. the previous span's statistics; they are recorded as INPUT events
 * and are part of the cache key like wired inputs.
 */
export type Driver<S extends AnyComponentSpec, R = unknown> = (args: {
  params: z.output<S['params']>;
  pipelineRoot: string;
  pipelineName: string;
  nodeId: string;
  inputs: InputArtifacts<S['inputs'], 'found'>;
  artifacts: ArtifactLookup;
}) => Promise<{ fingerprint: string; resolved: R; inputs?: Partial<Record<keyof S['inputs'] & string, number[]>> }>;

/** Everything the worker needs to run a component. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- R is the executor's parameter type (contravariant): `unknown` would reject every concrete impl
export interface ComponentImpl<S extends AnyComponentSpec = AnyComponentSpec, R = any> {
  spec: S;
  executor: Executor<S, R>;
  driver?: Driver<S, R>;
  /** present exactly when `spec.fanOut` is true */
  fanOut?: FanOut<S, R>;
  /**
   * Checked after the outputs are published: a message here stops the run (downstream nodes
   * are skipped, the run fails with it) while what the node produced stays recorded.
   * ExampleValidator uses it to halt on anomalies.
   */
  halt?: (args: { params: z.output<S['params']>; properties: ExecutorResult<S> }) => string | undefined;
}

export const defaultRetry: RetrySpec = {
  maximumAttempts: 3,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
};

export const defaultTimeouts: TimeoutSpec = {
  startToCloseMs: 60 * 60_000,
  heartbeatMs: 30_000,
};
