/**
 * Read-only inspection: `tsfx runs`, `tsfx artifacts`, `tsfx artifact <id>`, `tsfx lineage <id>`.
 * Each prints a table or tree, or JSON with --json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataType, Precision, tableFromIPC, type Field } from 'apache-arrow';
import type { Command } from 'commander';
import { ArtifactTypeName, type ExamplesProperties } from '../../schemas/artifacts.js';
import { loadConfig } from '../config.js';
import { DefinitionError, MetadataError } from '../errors.js';
import { openMetadataStore } from '../metadata/open.js';
import { artifactStates, type Artifact, type ArtifactState, type MetadataStore, type RunSummary } from '../metadata/store.js';
import { connectClient } from '../orchestration/client.js';
import { devServerStatus } from '../orchestration/dev-server.js';
import { workerPresence } from '../orchestration/liveness.js';
import { localPath } from '../artifacts/local-store.js';
import { bytesText, float32, table, toJson, when } from './format.js';
import { lineageGraph, renderLineage } from './render-lineage.js';

/**
 * RUNNING runs marked `noWorker` when their workflow is open but no worker polls for it. Asks
 * Temporal only if it is already up (this never starts a dev server); otherwise leaves them be.
 */
async function withWorkerPresence(runs: RunSummary[]): Promise<(RunSummary & { noWorker?: boolean })[]> {
  if (!runs.some((r) => r.status === 'RUNNING')) return runs;
  const config = loadConfig();
  const status = await devServerStatus(config);
  if (!status.serving) return runs;
  const client = await connectClient(status.address, config.temporalNamespace);
  try {
    return await Promise.all(
      runs.map(async (r) => {
        // the workflow id names the store, so it is the one recorded (startRun records it)
        if (r.status !== 'RUNNING' || !r.workflowId) return r;
        const presence = await workerPresence(client, r.workflowId).catch(
          () => undefined, // not in this Temporal (another server, deleted history)
        );
        return presence === 'no-worker' ? { ...r, noWorker: true } : r;
      }),
    );
  } finally {
    await client.connection.close();
  }
}

export async function withStore(fn: (store: MetadataStore) => Promise<void>): Promise<void> {
  const store = await openMetadataStore(loadConfig().metadataUrl);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const out = (s: string): void => void process.stdout.write(`${s}\n`);

export function parseId(raw: string): number {
  const id = Number(raw.replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0)
    throw new DefinitionError(`'${raw}' is not an artifact id (a positive integer)`);
  return id;
}

export function registerInspect(program: Command): void {
  program
    .command('runs')
    .description('list pipeline runs, newest first')
    .option('--pipeline <name>')
    .option('--limit <n>', 'at most n runs', '20')
    .option('--json')
    .action(async (o: { pipeline?: string; limit: string; json?: boolean }) =>
      withStore(async (store) => {
        const runs = await withWorkerPresence(await store.listRuns({ pipeline: o.pipeline, limit: Number(o.limit) }));
        if (o.json) return out(toJson(runs));
        out(
          table(
            ['PIPELINE', 'RUN', 'STATUS', 'TRIGGER', 'STARTED', 'EXECUTIONS'],
            runs.map((r) => [
              r.pipeline,
              r.runId,
              r.noWorker ? `${r.status} (no worker)` : r.status,
              r.trigger,
              when(r.startTime),
              Object.entries(r.states)
                .map(([s, n]) => `${n} ${s.toLowerCase()}`)
                .join(', '),
            ]),
          ),
        );
        for (const r of runs.filter((x) => x.error)) out(`${r.pipeline}/${r.runId}: ${r.error}`);
        const stuck = runs.find((r) => r.noWorker);
        if (stuck)
          out(
            `\n(no worker): the run is open in Temporal but nothing polls its task queue (its tsfx run was killed?).\n` +
              `  tsfx resume ${stuck.runId}   starts a worker here and follows the run to its end (or start a \`tsfx worker\`)`,
          );
      }),
    );

  program
    .command('artifacts')
    .description('list artifacts, newest first')
    .option('--type <type>', `artifact type (${ArtifactTypeName.options.join(', ')})`)
    .option('--pipeline <name>')
    .option('--run <runId>')
    .option('--state <state>', `only this state (${artifactStates.join(', ')}, any); default: all but PENDING`)
    .option('--limit <n>', 'at most n artifacts', '50')
    .option('--json')
    .action(async (o: { type?: string; pipeline?: string; run?: string; state?: string; limit: string; json?: boolean }) =>
      withStore(async (store) => {
        if (o.type && !ArtifactTypeName.safeParse(o.type).success) {
          throw new DefinitionError(
            `unknown artifact type '${o.type}' (known: ${ArtifactTypeName.options.join(', ')})`,
          );
        }
        if (o.state !== undefined && o.state !== 'any' && !(artifactStates as readonly string[]).includes(o.state))
          throw new DefinitionError(`unknown artifact state '${o.state}' (known: ${artifactStates.join(', ')}, any)`);
        const list = await store.listArtifacts({
          type: o.type as ArtifactTypeName | undefined,
          state: o.state as ArtifactState | 'any' | undefined,
          pipeline: o.pipeline,
          runId: o.run,
          limit: Number(o.limit),
        });
        if (o.json) return out(toJson(list));
        out(
          table(
            ['ID', 'TYPE', 'NAME', 'STATE', 'CREATED', 'URI'],
            list.map((a) => [a.id, a.type, a.name, a.state, when(a.createTime), a.uri]),
          ),
        );
      }),
    );

  program
    .command('artifact')
    .description('show one artifact: properties, URI, and for Examples the first rows of each split')
    .argument('<id>')
    .option('--rows <n>', 'rows to show per split', '5')
    .option('--json')
    .action(async (rawId: string, o: { rows: string; json?: boolean }) =>
      withStore(async (store) => {
        const id = parseId(rawId);
        const a = await store.getArtifact(id);
        if (!a) throw new MetadataError(`no artifact #${id}`);
        const preview = a.type === 'Examples' ? previewExamples(a, Number(o.rows)) : undefined;
        if (o.json) return out(toJson({ ...a, preview }));
        out(
          table(
            ['', ''],
            [
              ['id', a.id],
              ['type', a.type],
              ['name', a.name],
              ['state', a.state],
              ['uri', a.uri],
              ['created', when(a.createTime)],
            ],
          ),
        );
        out(`properties:\n${toJson(a.properties).replace(/^/gm, '  ')}`);
        for (const [split, p] of Object.entries(preview ?? {})) {
          out(`\nsplit ${split}: ${p.rows} rows in ${p.shards} shard(s); first ${p.first.length}:`);
          const cols = Object.keys(p.first[0] ?? {});
          out(
            table(
              cols,
              p.first.map((r) => cols.map((c) => cell(r[c]))),
            ),
          );
        }
      }),
    );

  program
    .command('lineage')
    .description('what an artifact was made from (upstream) and what was made from it (downstream); a subtree reached twice is printed once, then "(see #id above)"')
    .argument('<id>')
    .option('--depth <n>', 'hops to follow', '10')
    .option('--json')
    .action(async (rawId: string, o: { depth: string; json?: boolean }) =>
      withStore(async (store) => {
        const id = parseId(rawId);
        const up = await store.lineage(id, 'upstream', Number(o.depth));
        const down = await store.lineage(id, 'downstream', Number(o.depth));
        // the trees as before, and the same lineage once per artifact/execution as a graph
        if (o.json) return out(toJson({ upstream: up, downstream: down, graph: lineageGraph(up, down) }));
        out(renderLineage(up, down));
      }),
    );
}

/** A preview cell: bytes as text/hex/base64 (format.ts), lists as [a,b], everything else as is. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '∅';
  const s =
    v instanceof Uint8Array
      ? bytesText(v)
      : Array.isArray(v)
        ? `[${v.map((x) => (x instanceof Uint8Array ? bytesText(x) : String(x))).join(',')}]`
        : typeof v === 'object'
          ? toJson(v).replace(/\s+/g, '')
          : String(v);
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

/** Row counts and the first rows of each split, read from its first shard. */
export function previewExamples(
  a: Artifact,
  n: number,
): Record<string, { rows: number; shards: number; first: Record<string, unknown>[] }> {
  const props = a.properties as ExamplesProperties;
  const result: Record<string, { rows: number; shards: number; first: Record<string, unknown>[] }> = {};
  for (const split of props.splitNames ?? []) {
    const shards = props.shards?.[split] ?? [];
    let first: Record<string, unknown>[] = [];
    if (shards.length) {
      const file = path.join(localPath(a.uri), `Split-${split}`, shards[0]!);
      const t = tableFromIPC(fs.readFileSync(file));
      const fields = new Map(t.schema.fields.map((f) => [f.name, f]));
      first = t
        .slice(0, n)
        .toArray()
        .map((r) =>
          Object.fromEntries(
            Object.entries(r.toJSON() as Record<string, unknown>).map(([k, v]) => [k, plain(v, fields.get(k))]),
          ),
        );
    }
    result[split] = { rows: props.rowCounts?.[split] ?? 0, shards: shards.length, first };
  }
  return result;
}

/**
 * Arrow list cells are Vectors: shown as arrays. Float32 values (tf.Example's float_list) as
 * their shortest float32 decimal (6.9, not 6.900000095367432); bytes stay Uint8Array, which
 * the table shows as text or hex and --json as base64.
 */
function plain(v: unknown, field: Field | undefined): unknown {
  const type = field?.type as DataType | undefined;
  const item = type && DataType.isList(type) ? (type.children[0]?.type as DataType | undefined) : type;
  const single = item !== undefined && DataType.isFloat(item) && item.precision === Precision.SINGLE;
  const one = (x: unknown) => (single && typeof x === 'number' ? float32(x) : x);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && 'toArray' in v) {
    const values = (v as { toArray(): ArrayLike<unknown> }).toArray();
    // a list of binary values is an array of Uint8Array; a Float32Array becomes plain numbers
    return Array.from(values as ArrayLike<unknown>, one);
  }
  return one(v);
}
