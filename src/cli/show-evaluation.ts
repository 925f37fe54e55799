/**
 * `tsfx show` for the Evaluator's outputs: a ModelEvaluation as one table per slice (metric,
 * candidate, baseline, diff, and the thresholds on it with their verdicts), a ModelBlessing as
 * its verdict and reason, then every threshold check. The two artifacts come from one
 * execution, so each view finds the other through its OUTPUT events. File names are spelled
 * out so the CLI does not load the component (or tfjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { localPath } from '../artifacts/local-store.js';
import { DataError } from '../errors.js';
import type { Artifact, MetadataStore } from '../metadata/store.js';
import { measure, table, toJson } from './format.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

interface SliceFile {
  task: string;
  label: string;
  splits: string[];
  rows: number;
  model: number;
  slices: { slice: string; metrics: Record<string, number | null>; reasons: Record<string, string> }[];
}

interface Check {
  slice: string;
  metric: string;
  kind: 'value' | 'change';
  threshold: { lowerBound?: number; upperBound?: number; direction?: string; absolute?: number; relative?: number };
  value?: number | null;
  baseline?: number | null;
  diff?: number | null;
  ratio?: number | null;
  verdict: 'pass' | 'fail' | 'skipped';
  reason?: string;
}

interface ValidationFile {
  blessed: boolean;
  reason: string;
  model: number;
  baselineModel?: number;
  checks: Check[];
}

function readJson<T>(a: Artifact, file: string, optional = false): T | undefined {
  const p = path.join(localPath(a.uri), file);
  if (optional && !fs.existsSync(p)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as T;
  } catch (err) {
    throw new DataError(`cannot read ${file} of artifact #${a.id}: ${(err as Error).message}`, p);
  }
}

/** The other output (`name`) of the execution that made `a`. */
async function sibling(store: MetadataStore, a: Artifact, name: string): Promise<Artifact | undefined> {
  const made = (await store.eventsOfArtifact(a.id)).find((e) => e.type === 'OUTPUT');
  if (!made) return undefined;
  const other = (await store.eventsOfExecution(made.executionId)).find((e) => e.type === 'OUTPUT' && e.name === name);
  return other ? store.getArtifact(other.artifactId) : undefined;
}

const num = (v: number | null | undefined): string => (v === undefined ? '' : v === null ? 'NaN' : measure(v));
const mark = { pass: '✓', fail: '✗', skipped: '-' } as const;

/** A threshold in one short line: `>= 0.9`, `in [0.1, 0.3]`, `change higherIsBetter diff >= -0.01, ratio >= 0`. */
export function thresholdText(c: Pick<Check, 'kind' | 'threshold'>): string {
  const t = c.threshold;
  if (c.kind === 'value') {
    if (t.lowerBound !== undefined && t.upperBound !== undefined) return `in [${t.lowerBound}, ${t.upperBound}]`;
    return t.lowerBound !== undefined ? `>= ${t.lowerBound}` : `<= ${t.upperBound}`;
  }
  const op = t.direction === 'higherIsBetter' ? '>=' : '<=';
  const parts = [t.absolute !== undefined ? `diff ${op} ${t.absolute}` : '', t.relative !== undefined ? `ratio ${op} ${t.relative}` : ''].filter(Boolean);
  return `change ${t.direction}${parts.length ? ` ${parts.join(', ')}` : ''}`;
}

export async function showModelEvaluation(store: MetadataStore, a: Artifact, o: { json?: boolean }): Promise<void> {
  const cand = readJson<SliceFile>(a, 'metrics.json')!;
  const base = readJson<SliceFile>(a, 'baseline-metrics.json', true);
  const blessing = await sibling(store, a, 'blessing');
  const validation = blessing ? readJson<ValidationFile>(blessing, 'validation.json', true) : undefined;
  if (o.json) return out(toJson({ candidate: cand, baseline: base ?? null, validation: validation ?? null }));
  out(`#${a.id} ModelEvaluation ${a.name}: ${cand.task} on ${cand.label}, ${cand.rows} rows of ${cand.splits.join(', ')}; candidate Model #${cand.model}${base ? ` vs baseline Model #${base.model}` : ', no baseline'}`);
  if (validation) out(`blessing #${blessing!.id}: ${validation.blessed ? 'BLESSED' : 'NOT BLESSED'} (${validation.reason})`);
  const baseBySlice = new Map(base?.slices.map((s) => [s.slice, s.metrics]));
  for (const s of cand.slices) {
    const b = baseBySlice.get(s.slice);
    const checks = validation?.checks.filter((c) => c.slice === s.slice) ?? [];
    const rows = Object.entries(s.metrics).map(([metric, v]) => {
      const bv = b?.[metric];
      const diff = typeof v === 'number' && typeof bv === 'number' ? v - bv : undefined;
      const marks = checks.filter((c) => c.metric === metric).map((c) => `${mark[c.verdict]} ${thresholdText(c)}`);
      const vs = base ? [num(bv), diff === undefined ? '' : `${diff > 0 ? '+' : ''}${measure(diff)}`] : [];
      return [metric, num(v), ...vs, marks.join('; ')];
    });
    out(`\n${s.slice} (${s.metrics.exampleCount ?? '?'} examples)`);
    out(table(['metric', 'candidate', ...(base ? ['baseline', 'diff'] : []), 'thresholds'], rows));
  }
  // thresholds that name a metric or slice the table lacks still show: they are failures
  const shown = new Set(cand.slices.flatMap((s) => Object.keys(s.metrics).map((m) => `${s.slice}\u0000${m}`)));
  const orphans = validation?.checks.filter((c) => !shown.has(`${c.slice}\u0000${c.metric}`)) ?? [];
  if (orphans.length) {
    out('\nthresholds on metrics or slices not computed:');
    for (const c of orphans) out(`  ${mark[c.verdict]} ${c.slice} ${c.metric} ${thresholdText(c)}: ${c.reason ?? ''}`);
  }
  out(`\nplot data (ROC/PR points, calibration buckets, confusion matrices): ${path.join(localPath(a.uri), 'plots.json')}`);
}

export async function showModelBlessing(store: MetadataStore, a: Artifact, o: { json?: boolean }): Promise<void> {
  const v = readJson<ValidationFile>(a, 'validation.json')!;
  if (o.json) return out(toJson({ ...v, properties: a.properties }));
  const evaluation = await sibling(store, a, 'evaluation');
  out(`#${a.id} ModelBlessing ${a.name}: ${v.blessed ? 'BLESSED' : 'NOT BLESSED'} Model #${v.model}${v.baselineModel !== undefined ? ` against baseline Model #${v.baselineModel}` : ', no baseline'}`);
  out(v.reason);
  if (v.checks.length)
    out(`\n${table(['', 'slice', 'metric', 'threshold', 'candidate', 'baseline', 'diff', 'ratio'], v.checks.map((c) => [mark[c.verdict], c.slice, c.metric, thresholdText(c), num(c.value), num(c.baseline), num(c.diff), num(c.ratio)]))}`);
  const why = v.checks.filter((c) => c.verdict !== 'pass' && c.reason);
  if (why.length) out('');
  for (const c of why) out(`${c.verdict === 'fail' ? 'failed' : 'skipped'}: ${c.slice} ${c.metric} (${thresholdText(c)}): ${c.reason}`);
  if (evaluation) out(`\nmetrics per slice: tsfx show ${evaluation.id}`);
}
