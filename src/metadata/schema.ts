/**
 * Kysely table types of the ML-Metadata-style schema. One schema serves SQLite and PostgreSQL,
 * so columns use only what both store the same way: integer ids, text, and integer timestamps
 * (ms since epoch; PostgreSQL's int8 is parsed to a number by the pool in open.ts), JSON as text.
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { ArtifactState, ContextType, EventType, ExecutionState } from './store.js';

export type TypeKind = 'artifact' | 'execution' | 'context';
export type SqlDialect = 'sqlite' | 'postgres';

/** Artifact, execution and context types by name; unique (kind, name). */
export interface TypeTable {
  id: Generated<number>;
  name: string;
  kind: TypeKind;
}

export interface ArtifactTable {
  id: Generated<number>;
  type_id: number;
  uri: string;
  state: ArtifactState;
  name: string;
  /** JSON object */
  properties: string;
  create_time: number;
  update_time: number;
}

export interface ExecutionTable {
  id: Generated<number>;
  type_id: number;
  pipeline: string;
  run_id: string;
  node_id: string;
  state: ExecutionState;
  cache_key: string | null;
  workflow_id: string | null;
  workflow_run_id: string | null;
  /** JSON object */
  properties: string;
  create_time: number;
  update_time: number;
}

/** An artifact read (INPUT) or written (OUTPUT) by an execution under an input/output key. */
export interface EventTable {
  id: Generated<number>;
  artifact_id: number;
  execution_id: number;
  type: EventType;
  name: string;
  /** position among the artifacts of one key; unique (execution_id, type, name, idx) */
  idx: number;
  time: number;
}

/** Contexts group executions and artifacts: one pipeline, one run, one node of a pipeline. */
export interface ContextTable {
  id: Generated<number>;
  type_id: number;
  name: string;
  /** JSON object */
  properties: string;
  create_time: number;
}

/** artifact -> context */
export interface AttributionTable {
  context_id: number;
  artifact_id: number;
}

/** execution -> context */
export interface AssociationTable {
  context_id: number;
  execution_id: number;
}

export interface ParentContextTable {
  context_id: number;
  parent_context_id: number;
}

export interface MigrationTable {
  version: number;
  name: string;
  applied_time: number;
}

export interface Database {
  type: TypeTable;
  artifact: ArtifactTable;
  execution: ExecutionTable;
  event: EventTable;
  context: ContextTable;
  attribution: AttributionTable;
  association: AssociationTable;
  parent_context: ParentContextTable;
  tsfx_migrations: MigrationTable;
  tsfx_store: StoreTable;
}

/** One row: the store's identity (a UUID), see migration 2. */
export interface StoreTable {
  id: string;
  created_time: number;
}

export type Db = Kysely<Database>;

/** Row shapes as read back, with the type name joined in. */
export type ArtifactRow = Selectable<ArtifactTable> & { type_name: string };
export type ExecutionRow = Selectable<ExecutionTable> & { type_name: string };
export type ContextRow = Selectable<ContextTable> & { type_name: string };
export type EventRow = Selectable<EventTable>;

/** Context type names as stored in the type table (kind = 'context'). */
export const contextTypes: readonly ContextType[] = ['pipeline', 'pipeline_run', 'node'];

/** Context names, fixed here so every reader and writer agrees on them. */
export const contextNames = {
  pipeline: (pipeline: string) => pipeline,
  pipelineRun: (pipeline: string, runId: string) => `${pipeline}/${runId}`,
  node: (pipeline: string, nodeId: string) => `${pipeline}.${nodeId}`,
};
