/**
 * The ML-Metadata-style store's contract. Two implementations share one Kysely schema and
 * one set of migrations: SQLite (embedded default) and PostgreSQL (TSFX_METADATA_URL=postgres://…).
 * Only the activity adapter and the CLI's read-only commands use it; executors never do.
 */
import type { ArtifactTypeName } from '../../schemas/artifacts.js';

export type ExecutionState = 'NEW' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELED' | 'SKIPPED';
/** PENDING: reserved for an execution's output, not published (yet); LIVE: published */
export const artifactStates = ['PENDING', 'LIVE', 'MARKED_FOR_DELETION', 'DELETED', 'ABANDONED'] as const;
export type ArtifactState = (typeof artifactStates)[number];
/**
 * PENDING_OUTPUT (as in ML Metadata): an output artifact reserved by prepareNode before the
 * executor runs; publishing turns it into OUTPUT. Lineage follows INPUT and OUTPUT only.
 */
export type EventType = 'INPUT' | 'OUTPUT' | 'PENDING_OUTPUT';
export type ContextType = 'pipeline' | 'pipeline_run' | 'node';

export interface Artifact {
  id: number;
  type: ArtifactTypeName;
  uri: string;
  state: ArtifactState;
  /** "<node>.<output>" that produced it, for humans */
  name: string;
  properties: Record<string, unknown>;
  createTime: Date;
}

export interface Execution {
  id: number;
  /** component name, e.g. ExampleGen */
  type: string;
  pipeline: string;
  runId: string;
  nodeId: string;
  state: ExecutionState;
  cacheKey: string | null;
  workflowId: string | null;
  workflowRunId: string | null;
  /** params, resolved driver values, error message, backend used … */
  properties: Record<string, unknown>;
  createTime: Date;
  updateTime: Date;
}

export interface Event {
  artifactId: number;
  executionId: number;
  type: EventType;
  /** the input or output key, e.g. "examples" */
  name: string;
  index: number;
}

export interface Context {
  id: number;
  type: ContextType;
  name: string;
  properties: Record<string, unknown>;
  createTime: Date;
}

export interface RunSummary {
  pipeline: string;
  runId: string;
  workflowId: string | null;
  startTime: Date;
  endTime: Date;
  /** executions per state */
  states: Partial<Record<ExecutionState, number>>;
  /** the workflow's outcome when it recorded one (recordRunState); else derived from the executions, FAILED > RUNNING > CANCELED > COMPLETE */
  status: 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCELED';
  /** why the run failed, as the workflow reported it */
  error?: string;
  /** what started it: `manual`, or `schedule:<id>` for a run a schedule started (runs recorded before triggers were kept: `manual`) */
  trigger: string;
}

export interface NewExecution {
  type: string;
  pipeline: string;
  runId: string;
  nodeId: string;
  state: ExecutionState;
  cacheKey?: string | null;
  workflowId?: string | null;
  workflowRunId?: string | null;
  properties?: Record<string, unknown>;
  /** input artifacts: INPUT events are recorded with the execution */
  inputs: { name: string; artifactId: number }[];
  /**
   * Output artifacts to reserve with the execution: one PENDING artifact each, with a
   * PENDING_OUTPUT event, so its id and URI are known before the executor runs.
   */
  outputs?: ReservedOutput[];
}

export interface ReservedOutput {
  name: string;
  type: ArtifactTypeName;
  /** the artifact's URI from its id (artifact folders are named by artifact id) */
  uriOf: (artifactId: number) => string;
}

export interface NewOutput {
  name: string;
  type: ArtifactTypeName;
  uri: string;
  properties: Record<string, unknown>;
}

export interface ArtifactListFilter {
  type?: ArtifactTypeName;
  pipeline?: string;
  runId?: string;
  state?: ArtifactState | 'any';
  limit?: number;
}

export interface LineageNode {
  artifact: Artifact;
  /** the input (upstream) or output (downstream) name it has at the execution above it */
  role?: string;
  /** the execution that produced (upstream) or consumed (downstream) it, with its other artifacts */
  executions: { execution: Execution; eventName: string; artifacts: LineageNode[] }[];
}

/** What `tsfx gc` keeps and collects; see gc.ts for the rules. */
export interface GcOptions {
  /** newest runs kept per pipeline */
  keepRuns: number;
  /** collect in this pipeline only (every pipeline's kept runs still protect what they use) */
  pipeline?: string;
  /** collect even while a run of an affected pipeline is RUNNING */
  force?: boolean;
}

export interface GcPlan {
  keptRuns: { pipeline: string; runId: string }[];
  /** RUNNING runs of the affected pipelines: collectGarbage refuses unless `force` */
  running: { pipeline: string; runId: string }[];
  /** LIVE artifacts no kept run or served model reaches, and PENDING ones of executions that are over */
  artifacts: Artifact[];
  /** executions of runs not kept whose outputs are all collected */
  executions: Execution[];
  /** run contexts left empty */
  runs: { pipeline: string; runId: string }[];
}

export interface MetadataStore {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * The store's identity, a UUID kept in the store (known once migrate() ran). Artifact folders
   * and the default task queues are named by it, so two stores never share files or work.
   */
  readonly storeId: string;
  /** run pending migrations; idempotent, safe from several processes at once */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Create an execution with its INPUT events, attributed to the pipeline, pipeline-run and
   * node contexts (created on first use), and its reserved PENDING outputs (`e.outputs`).
   * Idempotent per workflow run: the same call again returns the execution (and reservations)
   * recorded first.
   */
  createExecution(e: NewExecution): Promise<Execution>;
  /** The PENDING artifacts reserved for an execution's outputs, by output name; empty once published. */
  reservedOutputs(executionId: number): Promise<{ name: string; artifact: Artifact }[]>;
  getExecution(id: number): Promise<Execution | undefined>;
  updateExecution(id: number, patch: { state?: ExecutionState; properties?: Record<string, unknown> }): Promise<void>;
  /**
   * In one transaction: record LIVE output artifacts + OUTPUT events and mark the execution
   * COMPLETE. An output reserved with the execution keeps its row (id and URI, which must match)
   * and turns LIVE with these properties; any other output gets a new row. Idempotent: publishing an execution that is already COMPLETE returns the
   * artifacts it already has and records nothing (a retried publisher must not duplicate).
   */
  publishExecution(executionId: number, outputs: NewOutput[], properties?: Record<string, unknown>): Promise<Artifact[]>;
  /** Record a CACHED execution whose OUTPUT events point at existing artifacts. */
  recordCachedExecution(e: NewExecution, outputs: { name: string; artifactId: number }[]): Promise<Execution>;
  /** Newest COMPLETE execution with this cache key, with its output artifacts by event name. */
  findCompletedByCacheKey(cacheKey: string): Promise<{ execution: Execution; outputs: { name: string; artifact: Artifact }[] } | undefined>;
  /** The run's state as its workflow sees it (RUNNING at start, then its outcome), on its pipeline_run context. */
  recordRunState(r: { pipeline: string; runId: string; state: 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCELED'; workflowId?: string | null; error?: string; trigger?: string }): Promise<void>;
  /** Set every NEW/RUNNING execution of a run to `state` (cancel, fail); returns how many. */
  finishOpenExecutions(pipeline: string, runId: string, state: 'CANCELED' | 'FAILED'): Promise<number>;

  getArtifact(id: number): Promise<Artifact | undefined>;
  /**
   * Artifacts newest first. PENDING ones (reserved for an execution that has not published,
   * or never will) are left out unless `state` asks for them ('any': every state).
   */
  listArtifacts(filter?: ArtifactListFilter): Promise<Artifact[]>;
  /** Latest LIVE artifact of a type in a pipeline, optionally with properties matching. */
  latestArtifact(filter: { type: ArtifactTypeName; pipeline: string; where?: Record<string, unknown> }): Promise<Artifact | undefined>;
  setArtifactState(id: number, state: ArtifactState): Promise<void>;
  eventsOfArtifact(artifactId: number): Promise<Event[]>;
  eventsOfExecution(executionId: number): Promise<Event[]>;
  /** Upstream (what it was made from) or downstream (what was made from it), to `depth` hops. */
  lineage(artifactId: number, direction: 'upstream' | 'downstream', depth?: number): Promise<LineageNode>;

  listExecutions(filter?: { pipeline?: string; runId?: string; nodeId?: string; state?: ExecutionState }): Promise<Execution[]>;
  listRuns(filter?: { pipeline?: string; limit?: number }): Promise<RunSummary[]>;
  listContexts(filter?: { type?: ContextType }): Promise<Context[]>;
  /** contexts an artifact is attributed to / an execution is associated with */
  contextsOfExecution(executionId: number): Promise<Context[]>;
  contextsOfArtifact(artifactId: number): Promise<Context[]>;

  /** What collectGarbage would remove now; changes nothing. */
  planGarbageCollection(opts: GcOptions): Promise<GcPlan>;
  /**
   * Recompute the plan inside one write transaction and delete its rows (artifacts with their
   * events and attributions, executions with theirs, empty run contexts); returns what went.
   * Files are the caller's (src/artifacts/gc-files.ts). Throws RunningRunsError while a run of
   * an affected pipeline is RUNNING, unless `force`.
   */
  collectGarbage(opts: GcOptions): Promise<GcPlan>;
}
