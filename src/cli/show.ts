/**
 * `tsfx show <id>`: an artifact's contents for a human. ExampleStatistics as TFDV-style
 * tables per split, Schema as TFDV's display_schema tables then its text form,
 * ExampleAnomalies as a table per split, Examples as row counts (details in `tsfx artifact`);
 * the model half's artifacts in show-model.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { localPath } from '../artifacts/local-store.js';
import { DataError, DefinitionError, MetadataError } from '../errors.js';
import type { Artifact } from '../metadata/store.js';
import { decodeSchema, parseSchemaText, type Schema } from '../schema/index.js';
import { decodeStatistics, statisticsJson } from '../stats/index.js';
import { statisticsListType } from '../stats/proto.js';
import { toJson } from './format.js';
import { shortenFloatFields } from './proto-floats.js';
import { parseId, previewExamples, withStore } from './inspect.js';
import { renderAnomalies, type AnomaliesView } from './render-anomalies.js';
import { renderSchema, schemaView } from './render-schema.js';
import { renderDataset, type DatasetStats } from './render-stats.js';
import { showModelBlessing, showModelEvaluation } from './show-evaluation.js';
import { showInfraBlessing, showPushedModel } from './show-push.js';
import { showHyperParameters, showModel, showModelRun, showTransformGraph } from './show-model.js';

// StatisticsGen's file name; spelled out rather than imported so the CLI does not load components
const STATS_FILE = 'FeatureStats.pb';
const SCHEMA_TEXT_FILE = 'schema.pbtxt';
const SCHEMA_BINARY_FILE = 'schema.pb';
const ANOMALIES_JSON_FILE = 'SchemaDiff.json';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

interface ShowOptions {
  split?: string;
  json?: boolean;
  /** commander's --no-text: false hides a Schema's text form */
  text?: boolean;
}

/** The splits to show: all of the artifact's, or the one asked for (which must exist). */
function chosenSplits(a: Artifact, wanted: string | undefined): string[] {
  const names = (a.properties as { splitNames?: unknown }).splitNames;
  const all = Array.isArray(names) ? names.map(String) : [];
  if (wanted === undefined) return all;
  if (!all.includes(wanted))
    throw new DefinitionError(`artifact #${a.id} has no split '${wanted}' (it has ${all.join(', ') || 'none'})`, [
      '--split',
    ]);
  return [wanted];
}

/** One split's DatasetFeatureStatistics; `json` keeps NaN/Infinity JSON-safe (protobuf's JSON mapping). */
export function readSplitStatistics(a: Artifact, split: string, json = false): DatasetStats {
  const file = path.join(localPath(a.uri), `Split-${split}`, STATS_FILE);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new DataError(`cannot read statistics of split '${split}': ${(err as Error).message}`, file);
  }
  const decoded = json ? statisticsJson(bytes) : decodeStatistics(bytes, file);
  // avg_length and the other proto floats: 6.5454545, not 6.545454502105713
  const list = shortenFloatFields(statisticsListType(), decoded) as { datasets?: DatasetStats[] };
  const ds = list.datasets ?? [];
  // StatisticsGen writes one dataset per file, named after the split
  const found = ds.find((d) => d.name === split) ?? (ds.length === 1 ? ds[0] : undefined);
  if (!found) throw new DataError(`no dataset named '${split}' among ${ds.length} dataset(s)`, file);
  return found;
}

function showStatistics(a: Artifact, o: ShowOptions): void {
  const splits = chosenSplits(a, o.split);
  if (o.json) return out(toJson(Object.fromEntries(splits.map((s) => [s, readSplitStatistics(a, s, true)]))));
  out(`#${a.id} ExampleStatistics ${a.name}`);
  for (const s of splits) out(`\n${renderDataset(readSplitStatistics(a, s), s)}`);
}

function showExamples(a: Artifact, o: ShowOptions): void {
  const splits = chosenSplits(a, o.split);
  const preview = previewExamples(a, 0);
  const counts = Object.fromEntries(
    splits.map((s) => [s, { rows: preview[s]?.rows ?? 0, shards: preview[s]?.shards ?? 0 }]),
  );
  if (o.json) return out(toJson(counts));
  out(`#${a.id} Examples ${a.name}`);
  for (const [s, c] of Object.entries(counts)) out(`  split ${s}: ${c.rows} rows in ${c.shards} shard(s)`);
  out(`first rows and properties: tsfx artifact ${a.id}`);
}

/** The binary form when there is one (what ExampleValidator reads), else the text form (a curated schema). */
function readSchema(dir: string, text: string | undefined): Schema | undefined {
  const binary = path.join(dir, SCHEMA_BINARY_FILE);
  if (fs.existsSync(binary)) return decodeSchema(fs.readFileSync(binary), binary);
  return text === undefined ? undefined : parseSchemaText(text, path.join(dir, SCHEMA_TEXT_FILE));
}

function showSchema(a: Artifact, o: ShowOptions): void {
  const dir = localPath(a.uri);
  const file = path.join(dir, SCHEMA_TEXT_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  const schema = readSchema(dir, text);
  const view = schema ? schemaView(schema) : undefined;
  if (o.json)
    return out(toJson({ ...(view ?? { features: null, domains: null }), file: text === undefined ? null : file, text: text ?? null }));
  if (!view) return out(`#${a.id} Schema: no ${SCHEMA_TEXT_FILE} or ${SCHEMA_BINARY_FILE} in ${a.uri}; nothing to show`);
  out(`#${a.id} Schema ${a.name}`);
  out(renderSchema(view));
  if (o.text === false) return;
  out(text === undefined ? `\n(no ${SCHEMA_TEXT_FILE}; the text form is not available)` : `\n${SCHEMA_TEXT_FILE}:\n${text.trimEnd()}`);
}

function readAnomalies(a: Artifact, split: string): AnomaliesView {
  const file = path.join(localPath(a.uri), `Split-${split}`, ANOMALIES_JSON_FILE);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as AnomaliesView;
  } catch (err) {
    throw new DataError(`cannot read the anomalies of split '${split}': ${(err as Error).message}`, file);
  }
}

function showAnomalies(a: Artifact, o: ShowOptions): void {
  const splits = chosenSplits(a, o.split);
  if (o.json) return out(toJson(Object.fromEntries(splits.map((s) => [s, readAnomalies(a, s)]))));
  const compared = (a.properties as { comparedWith?: { previous?: { artifactId: number; span: number | null }; serving?: { artifactId: number; split: string; trainingSplit: string } } }).comparedWith;
  out(`#${a.id} ExampleAnomalies ${a.name}`);
  if (compared?.previous) out(`drift: against statistics #${compared.previous.artifactId} (span ${compared.previous.span ?? '-'})`);
  if (compared?.serving)
    out(`skew: split ${compared.serving.trainingSplit} against split ${compared.serving.split} of statistics #${compared.serving.artifactId}`);
  for (const s of splits) out(`\n${renderAnomalies(readAnomalies(a, s), s)}`);
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description("an artifact's contents: statistics tables per split, a schema's features and domains (then its text), anomalies, example counts, a transform's features and analyzer results, a model's signature, training history, tuning trials, an evaluation's metrics per slice (candidate vs baseline, thresholds marked), a blessing's checks, an infra validation's requests, a push's version and provenance")
    .argument('<id>')
    .option('--split <name>', 'only this split')
    .option('--no-text', "a Schema's tables only, without its text form")
    .option('--json')
    .action(async (rawId: string, o: ShowOptions) =>
      withStore(async (store) => {
        const id = parseId(rawId);
        const a = await store.getArtifact(id);
        if (!a) throw new MetadataError(`no artifact #${id}`);
        if (a.type === 'ExampleStatistics') return showStatistics(a, o);
        if (a.type === 'Examples') return showExamples(a, o);
        if (a.type === 'Schema') return showSchema(a, o);
        if (a.type === 'ExampleAnomalies') return showAnomalies(a, o);
        if (a.type === 'TransformGraph') return showTransformGraph(a, o);
        if (a.type === 'Model') return showModel(a, o);
        if (a.type === 'ModelRun') return showModelRun(a, o);
        if (a.type === 'HyperParameters') return showHyperParameters(a, o);
        if (a.type === 'ModelEvaluation') return showModelEvaluation(store, a, o);
        if (a.type === 'ModelBlessing') return showModelBlessing(store, a, o);
        if (a.type === 'InfraBlessing') return showInfraBlessing(a, o);
        if (a.type === 'PushedModel') return showPushedModel(a, o);
        throw new DefinitionError(`tsfx show has no view for ${a.type} yet; use tsfx artifact ${a.id}`);
      }),
    );
}
