/**
 * What `tsfx models` shows, gathered: each served model's versions (folder valid or not, from
 * version-folder.ts), labels, history, the running server's view (`--server`), and per version
 * its lineage (provenance.json, completed from the metadata store: the run, the Model, the
 * ModelBlessing and the ModelEvaluation made beside it).
 */
import fs from 'node:fs';
import { readHistory, type HistoryEvent } from '../serving/history.js';
import { readLabels } from '../serving/labels.js';
import { listModels, listVersions, type VersionInfo } from '../serving/version-folder.js';
import type { MetadataStore } from '../metadata/store.js';
import { loadConfig } from '../config.js';
import { openMetadataStore } from '../metadata/open.js';

export interface VersionLineage {
  pipeline: string | null;
  runId: string | null;
  model: number | null;
  /** the Model's state in metadata (LIVE, DELETED, …), or 'unknown' when metadata has no row */
  modelState?: string;
  modelBlessing: number | null;
  modelEvaluation: number | null;
  infraBlessing: number | null;
  pushedAt: string | null;
  pushedBy: string | null;
  forced: boolean;
  reason: string | null;
}

export interface VersionView {
  version: number;
  valid: boolean;
  error?: string;
  labels: string[];
  /** the server's state (AVAILABLE, LOADING, END, …) when `--server` was given */
  server?: string;
  serverError?: string;
  lineage?: VersionLineage;
}

export interface ModelView {
  name: string;
  labels: Record<string, number>;
  versions: VersionView[];
  history?: HistoryEvent[];
  /** history lines that could not be read (a crash tore them) */
  historySkipped?: number;
  /** a labels.json that could not be read, or a server that could not be asked */
  problems: string[];
}

type ServerStatus = Map<number, { state: string; error?: string }>;

/** GET /v1/models/{m} of a running server: state per version. */
async function serverStatus(url: string, model: string, token?: string): Promise<ServerStatus | string> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/v1/models/${encodeURIComponent(model)}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as {
      error?: string;
      model_version_status?: { version: string; state: string; status?: { error_code?: string; error_message?: string } }[];
    };
    if (!res.ok) return `server ${url} answered ${res.status}: ${body.error ?? ''}`;
    return new Map(
      (body.model_version_status ?? []).map((s) => [
        Number(s.version),
        { state: s.state, ...(s.status?.error_message ? { error: s.status.error_message } : {}) },
      ]),
    );
  } catch (err) {
    return `server ${url} could not be asked: ${(err as Error).message}`;
  }
}

/** The metadata store, when there is one to read (a missing SQLite file is not created). */
export async function openStoreIfAny(): Promise<MetadataStore | undefined> {
  const url = loadConfig().metadataUrl;
  if (!/^postgres(ql)?:\/\//.test(url) && !fs.existsSync(url)) return undefined;
  return openMetadataStore(url);
}

/** The ModelEvaluation made by the execution that made this blessing (the Evaluator writes both). */
async function evaluationBeside(store: MetadataStore, blessing: number): Promise<number | null> {
  const made = (await store.eventsOfArtifact(blessing)).find((e) => e.type === 'OUTPUT');
  if (!made) return null;
  for (const e of await store.eventsOfExecution(made.executionId)) {
    if (e.type !== 'OUTPUT') continue;
    const a = await store.getArtifact(e.artifactId);
    if (a?.type === 'ModelEvaluation') return a.id;
  }
  return null;
}

async function lineageOf(v: VersionInfo, store: MetadataStore | undefined): Promise<VersionLineage | undefined> {
  const p = v.provenance;
  if (!p) return undefined;
  const out: VersionLineage = {
    pipeline: p.pipeline, runId: p.runId, model: p.model, modelBlessing: p.modelBlessing, modelEvaluation: p.modelEvaluation,
    infraBlessing: p.infraBlessing, pushedAt: p.pushedAt, pushedBy: p.pushedBy, forced: p.forced, reason: p.reason,
  };
  if (!store || typeof p.model !== 'number') return out;
  const model = await store.getArtifact(p.model);
  out.modelState = model?.state ?? 'unknown';
  if (model && !out.runId) {
    const run = (await store.contextsOfArtifact(model.id)).find((c) => c.type === 'pipeline_run');
    if (run) {
      out.runId = (run.properties.runId as string | undefined) ?? run.name;
      out.pipeline ??= (run.properties.pipeline as string | undefined) ?? null;
    }
  }
  if (out.modelBlessing !== null && out.modelEvaluation === null) out.modelEvaluation = await evaluationBeside(store, out.modelBlessing);
  return out;
}

export interface GatherOptions {
  base: string;
  model?: string;
  history?: boolean;
  server?: string;
  token?: string;
  store?: MetadataStore;
}

export async function gatherModels(o: GatherOptions): Promise<ModelView[]> {
  const names = o.model ? [o.model] : listModels(o.base);
  const views: ModelView[] = [];
  for (const name of names) {
    const problems: string[] = [];
    let labels: Record<string, number> = {};
    try {
      labels = { ...readLabels(o.base, name).labels };
    } catch (err) {
      problems.push((err as Error).message);
    }
    const status = o.server ? await serverStatus(o.server, name, o.token) : undefined;
    if (typeof status === 'string') problems.push(status);
    const versions: VersionView[] = [];
    for (const v of listVersions(o.base, name).reverse()) {
      const s = status instanceof Map ? status.get(v.version) : undefined;
      const lineage = await lineageOf(v, o.store);
      versions.push({
        version: v.version,
        valid: v.valid,
        ...(v.error ? { error: v.error } : {}),
        labels: Object.entries(labels).filter(([, n]) => n === v.version).map(([l]) => l),
        ...(status instanceof Map ? { server: s?.state ?? 'NOT LOADED' } : {}),
        ...(s?.error ? { serverError: s.error } : {}),
        ...(lineage ? { lineage } : {}),
      });
    }
    for (const [label, n] of Object.entries(labels))
      if (!versions.some((v) => v.version === n && v.valid)) problems.push(`label '${label}' points at version ${n}, which is not a valid version folder`);
    const view: ModelView = { name, labels, versions, problems };
    if (o.history) {
      const h = readHistory(o.base, name);
      view.history = h.events;
      view.historySkipped = h.skipped;
      // a pusher that died between its rename and its history append (and was not retried)
      for (const v of versions)
        if (v.lineage && !h.events.some((e) => e.action === 'push' && e.version === v.version))
          problems.push(`version ${v.version} has provenance.json but no push in history.jsonl (its pusher stopped right after the rename?)`);
    }
    views.push(view);
  }
  return views;
}
