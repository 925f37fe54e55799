/**
 * PipelineSpec: the plain-JSON form a pipeline compiles to. The CLI builds it, the client
 * validates it, and the one generic workflow (`workflows/pipeline-run.ts`) interprets it.
 * Node-free so workflow code may import it.
 */
import { z } from 'zod';
import { ArtifactTypeName } from './artifacts.js';

export const nodeId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'node ids start with a letter and hold letters, digits, _ and -');

/** An input wired to an upstream node's output. */
export const InputRef = z.object({
  node: nodeId,
  output: z.string(),
  type: ArtifactTypeName,
});
export type InputRef = z.infer<typeof InputRef>;

export const RetrySpec = z.object({
  maximumAttempts: z.number().int().positive(),
  initialIntervalMs: z.number().int().positive(),
  backoffCoefficient: z.number().min(1),
  maximumIntervalMs: z.number().int().positive(),
});
export type RetrySpec = z.infer<typeof RetrySpec>;

export const TimeoutSpec = z.object({
  /** whole executor attempt */
  startToCloseMs: z.number().int().positive(),
  /** a worker that stops heartbeating this long is presumed dead and the attempt retried */
  heartbeatMs: z.number().int().positive(),
  /** waiting for a worker on the node's queue */
  scheduleToStartMs: z.number().int().positive().optional(),
});
export type TimeoutSpec = z.infer<typeof TimeoutSpec>;

export const Queue = z.enum(['cpu', 'gpu']);
export type Queue = z.infer<typeof Queue>;

/**
 * Run the node only when a property of an upstream artifact equals a value (Pusher on
 * `blessed`); otherwise it and what reads from it are recorded SKIPPED, and the run completes.
 */
export const Condition = z.object({
  node: nodeId,
  output: z.string(),
  property: z.string().min(1),
  /** compared by deep equality with the artifact's property (JSON values) */
  equals: z.unknown(),
});
export type Condition = z.infer<typeof Condition>;

export const NodeSpec = z.object({
  id: nodeId,
  /** component name, as in the component registry (TFX's PascalCase name) */
  component: z.string(),
  componentVersion: z.string(),
  inputs: z.record(z.string(), z.array(InputRef)),
  /**
   * output name -> artifact type. A name is a folder (`<node>/<output>/<artifactId>`), so it
   * can't start with a digit, `.` or `_` (those are the node folder's own: `.staging`, `_shards`)
   */
  outputs: z.record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'output names start with a letter and hold letters, digits, _ and -'),
    ArtifactTypeName,
  ),
  /** already validated against the component's params schema; JSON only */
  params: z.record(z.string(), z.unknown()),
  queue: Queue,
  /**
   * A gpu node with no worker polling the gpu queue when it starts: run on cpu (default), or
   * wait for a GPU worker.
   */
  whenNoGpu: z.enum(['cpu', 'wait']).default('cpu'),
  cache: z.boolean(),
  /** the executor fans out: one activity per planned shard, then a merging executor */
  fanOut: z.boolean().default(false),
  retry: RetrySpec,
  timeouts: TimeoutSpec,
  /** sha256 of user code the node runs (model / preprocessing module), part of the cache key */
  userCodeHash: z.string().optional(),
  when: Condition.optional(),
});
export type NodeSpec = z.infer<typeof NodeSpec>;

export const PipelineSpec = z.object({
  specVersion: z.literal(1),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'pipeline names hold letters, digits, _ . and -'),
  /** folder relative paths in params resolve against (the pipeline file's folder) */
  root: z.string(),
  nodes: z.array(NodeSpec).min(1),
});
export type PipelineSpec = z.infer<typeof PipelineSpec>;

/** Per-run options the CLI passes alongside the spec. */
export const RunOptions = z.object({
  runId: z.string(),
  /** disable caching for the whole run, or for the listed node ids */
  noCache: z.union([z.boolean(), z.array(nodeId)]).default(false),
});
export type RunOptions = z.infer<typeof RunOptions>;
