/**
 * What crosses Temporal between the pipeline workflow and the activities: ids, URIs and
 * small JSON only (never rows: payloads are capped at a few MB). Workflow code imports
 * these as types only.
 */
import type { NodeSpec, PipelineSpec, Queue, RunOptions } from '../../schemas/pipeline-spec.js';

export interface PipelineRunInput {
  spec: PipelineSpec;
  options: RunOptions;
  /** task queues are `${queuePrefix}cpu` / `${queuePrefix}gpu` */
  queuePrefix: string;
  /** the metadata store the run is recorded in; every activity checks it serves this store */
  storeId: string;
  /** what started the run, recorded on its pipeline_run context: absent = `manual`, or `schedule:<id>` */
  trigger?: string;
}

/** What every activity input carries, so a worker of another store refuses it (activity-deps.ts). */
export interface StoreScoped {
  storeId: string;
}

/** Input artifact ids per input name, as resolved from upstream nodes of this run. */
export type InputIds = Record<string, number[]>;
/** Output artifact id per output name. */
export type OutputIds = Record<string, number>;

export interface NodeActivityBase extends StoreScoped {
  pipeline: string;
  runId: string;
  root: string;
  node: NodeSpec;
}

export interface PrepareNodeInput extends NodeActivityBase {
  inputs: InputIds;
  useCache: boolean;
}

/**
 * `inputs` (to run with): the node's inputs with those its driver resolved from metadata added;
 * `outputs` of a run: the PENDING artifacts reserved for it (runComponent writes into their folders);
 * `queue`: where the executor runs, when it differs from the node's (a gpu node with no GPU
 * worker polling runs on cpu).
 */
export type PrepareNodeResult =
  | { kind: 'cached'; executionId: number; outputs: OutputIds; cachedFrom: number }
  | { kind: 'run'; executionId: number; inputs: InputIds; outputs?: OutputIds; queue?: Queue };

export interface RunComponentInput extends NodeActivityBase {
  executionId: number;
  inputs: InputIds;
  /**
   * A fanned-out node's planned tasks per round, in order; their runShard activities have
   * completed. For planShards/runShard: the rounds before the current one.
   */
  shardRounds?: unknown[][];
}

export interface PlanShardsInput extends RunComponentInput {
  /** 0 for the first round; round r's tasks may read every earlier round's shard outputs */
  round: number;
}

export interface PlanShardsResult {
  tasks: unknown[];
  /** no round follows this one (absent: true) */
  lastRound?: boolean;
}

export interface RunShardInput extends RunComponentInput {
  round: number;
  index: number;
  task: unknown;
}

export interface RunComponentResult {
  /** properties of each output, validated against its artifact type */
  properties: Record<string, Record<string, unknown>>;
  /** token of the attempt whose files are in place (attempt-folders.ts) */
  attempt: string;
}

export interface PublishNodeInput extends NodeActivityBase {
  executionId: number;
  properties: Record<string, Record<string, unknown>>;
  /** the accepted attempt's token: publish refuses files in place from any other attempt */
  attempt: string;
}

export interface PublishNodeResult {
  outputs: OutputIds;
  /** the component's halt check fired: the run stops here, naming this */
  halt?: string;
}

export interface CheckConditionInput extends StoreScoped {
  artifactId: number;
  property: string;
  equals: unknown;
}

export interface CheckConditionResult {
  holds: boolean;
  /** the property's value (undefined when the artifact lacks it) */
  actual: unknown;
}

export interface SkipNodeInput extends NodeActivityBase {
  /** why, for metadata and the progress view */
  reason: string;
  inputs: InputIds;
}

export interface FailNodeInput extends StoreScoped {
  executionId: number;
  error: string;
}

export interface StartRunInput extends StoreScoped {
  pipeline: string;
  runId: string;
  /** only on the start: `manual` or `schedule:<id>` */
  trigger?: string;
}

export interface FinishRunInput extends StartRunInput {
  state: 'COMPLETE' | 'CANCELED' | 'FAILED';
  /** why it failed, for `tsfx runs` */
  error?: string;
}

export type NodeStatus = 'PENDING' | 'RUNNING' | 'CACHED' | 'COMPLETE' | 'FAILED' | 'SKIPPED' | 'CANCELED';

export interface NodeProgress {
  status: NodeStatus;
  executionId?: number;
  outputs?: OutputIds;
  error?: string;
  startedAt?: number;
  finishedAt?: number;
  /** a fanned-out node's shard activities (every round so far) */
  shards?: { total: number; done: number };
  /** the task queue its executor runs on */
  queue?: Queue;
}

export interface RunProgress {
  pipeline: string;
  runId: string;
  nodes: Record<string, NodeProgress>;
}

export interface PipelineRunResult extends RunProgress {
  status: 'COMPLETE' | 'FAILED' | 'CANCELED';
}

/** Heartbeat details runComponent reports; the CLI reads them from the pending activity. */
export interface HeartbeatDetails {
  done?: number;
  total?: number;
  unit?: string;
  message?: string;
}

export const activityIds = {
  prepare: (nodeId: string) => `${nodeId}/prepare`,
  run: (nodeId: string) => `${nodeId}/run`,
  plan: (nodeId: string, round = 0) => (round ? `${nodeId}/plan-${round}` : `${nodeId}/plan`),
  shard: (nodeId: string, index: number, round = 0) => (round ? `${nodeId}/shard-${round}.${index}` : `${nodeId}/shard-${index}`),
  publish: (nodeId: string) => `${nodeId}/publish`,
};

/** The short form of a store's identity in task-queue names and workflow ids. */
export const storeTag = (storeId: string) => storeId.replace(/-/g, '').slice(0, 12);

/**
 * Temporal workflow id of a pipeline run: `<pipeline>/<runId>/<store tag>`. Workflow ids are
 * unique per namespace, so without the store two homes on one server could not both run
 * `penguin/r1`, and `tsfx cancel` in one could reach the other's run.
 */
export const workflowIdOf = (pipeline: string, runId: string, storeId: string) =>
  `${pipeline}/${runId}/${storeTag(storeId)}`;
