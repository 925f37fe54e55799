/**
 * `tsfx show` for the model half: a TransformGraph per output feature (its expression, type and
 * analyzer results), a Model (signature, backend, final metrics), a ModelRun (history per
 * epoch) and HyperParameters (every trial, the best marked). Reads files by the names the
 * components write, spelled out so the CLI does not load the components (or tfjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { localPath } from '../artifacts/local-store.js';
import { DataError } from '../errors.js';
import type { Artifact } from '../metadata/store.js';
import { TransformGraph } from '../../schemas/transform-graph.js';
import { describeGraph } from '../ml/transform/describe.js';
import { compact, table, toJson } from './format.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

function readJson(a: Artifact, ...file: string[]): unknown {
  const p = path.join(localPath(a.uri), ...file);
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (err) {
    throw new DataError(`cannot read ${file.join('/')} of artifact #${a.id}: ${(err as Error).message}`, p);
  }
}

export function showTransformGraph(a: Artifact, o: { json?: boolean }): void {
  const graph = TransformGraph.parse(readJson(a, 'transform_graph.json'));
  const described = describeGraph(graph);
  if (o.json) return out(toJson(described));
  const props = a.properties as { analyzeSplits?: string[]; rowsAnalyzed?: number; phases?: number };
  out(`#${a.id} TransformGraph ${a.name}: ${described.length} output features; analyzers read ${props.analyzeSplits?.join(', ') ?? '?'} (${props.rowsAnalyzed ?? '?'} rows, ${props.phases ?? '?'} pass(es))`);
  for (const d of described) {
    const f = d.feature;
    const type = f.dtype === 'int64' ? `int64 id in [0, ${f.cardinality})` : f.width > 1 ? `float32[${f.width}]` : f.dtype;
    out(`\n${f.name}  ${type}\n  = ${d.expression}`);
    for (const an of d.analyzers) out(`  ${an.expression}: ${an.summary}`);
  }
}

interface Signature {
  rawInputs: { name: string; kind: string }[];
  transformedInputs: { name: string; dtype: string; width: number }[];
  modelInputs: { kind: string; names?: string[]; features?: string[] };
  label: { name: string; task: string; classes?: string[] };
  output: { width: number; meaning: string };
}

export function showModel(a: Artifact, o: { json?: boolean }): void {
  const signature = readJson(a, 'signature.json') as Signature;
  if (o.json) return out(toJson({ signature, properties: a.properties }));
  const p = a.properties as { backend?: { package?: string; device?: string; reason?: string }; epochs?: number; stoppedEarly?: boolean; final?: Record<string, number>; parameters?: number; warmStartedFrom?: number | null };
  out(`#${a.id} Model ${a.name}: ${signature.label.task} on ${signature.label.name}${signature.label.classes ? ` (${signature.label.classes.join(', ')})` : ''}`);
  out(`trained ${p.epochs ?? '?'} epoch(s)${p.stoppedEarly ? ', stopped early' : ''} on ${p.backend?.package ?? '?'} (${p.backend?.device ?? '?'})${p.parameters ? `, ${p.parameters} weights` : ''}${p.warmStartedFrom ? `, warm-started from model #${p.warmStartedFrom}` : ''}`);
  if (p.final) out(`final: ${Object.entries(p.final).map(([k, v]) => `${k} ${compact(v)}`).join(', ')}`);
  out(`\nraw inputs (what a request sends):\n${table(['feature', 'type'], signature.rawInputs.map((r) => [r.name, r.kind]))}`);
  out(`\nmodel inputs (${signature.modelInputs.kind === 'concat' ? 'one input, concatenated in this order' : 'one input per feature'}):\n${table(['feature', 'dtype', 'width'], signature.transformedInputs.map((f) => [f.name, f.dtype, f.width]))}`);
  out(`\noutput: ${signature.output.width} value(s), ${signature.output.meaning}`);
}

export function showModelRun(a: Artifact, o: { json?: boolean }): void {
  const history = readJson(a, 'history.json') as { epoch: number; logs: Record<string, number> }[];
  if (o.json) return out(toJson({ history, properties: a.properties }));
  const keys = [...new Set(history.flatMap((h) => Object.keys(h.logs)))];
  const p = a.properties as { resumedFromEpoch?: number | null; replicas?: number; backend?: { package?: string } };
  out(`#${a.id} ModelRun ${a.name}: ${history.length} epoch(s) on ${p.backend?.package ?? '?'}, ${p.replicas ?? 1} replica(s)${p.resumedFromEpoch != null ? `, resumed at epoch ${p.resumedFromEpoch + 1}` : ''}`);
  out(table(['epoch', ...keys], history.map((h) => [h.epoch + 1, ...keys.map((k) => compact(h.logs[k]))])));
  out(`\nTensorBoard: tensorboard --logdir ${path.join(localPath(a.uri), 'tensorboard')}`);
}

export function showHyperParameters(a: Artifact, o: { json?: boolean }): void {
  const p = a.properties as { values: Record<string, unknown>; objective?: { metric: string; direction: string }; bestTrial?: number; trials?: { trial: number; values: Record<string, unknown>; objective: number | null; error?: string }[] };
  if (o.json) return out(toJson(p));
  out(`#${a.id} HyperParameters ${a.name}: best ${JSON.stringify(p.values)}${p.objective ? ` by ${p.objective.direction} ${p.objective.metric}` : ''}`);
  const trials = p.trials ?? [];
  if (!trials.length) return;
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.values)))];
  out(table(['trial', ...names, p.objective?.metric ?? 'objective', ''], trials.map((t) => [t.trial, ...names.map((n) => (typeof t.values[n] === 'number' ? compact(t.values[n] as number) : String(t.values[n]))), t.objective === null ? 'failed' : compact(t.objective), t.trial === p.bestTrial ? 'best' : ''])));
  // errors are long (they name the hparam and the module): one line each, under the table
  for (const t of trials) if (t.objective === null) out(`trial ${t.trial} failed: ${t.error ?? 'no objective'}`);
  out(`\nTensorBoard (every trial): tensorboard --logdir ${path.join(localPath(a.uri), 'trials')}`);
}
