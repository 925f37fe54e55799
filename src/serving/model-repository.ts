/**
 * The models a server answers for, kept in step with `{base}/{model}/{version}/` folders by
 * polling: new versions load, removed ones unload, labels.json changes apply, all without a
 * restart. A version counts once its model.json exists (fs-model-io writes it last) and it
 * loads; one that fails to load is reported (state END with the error) and retried only when
 * its files change, so a bad upload never takes the server down.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, MODEL_JSON } from '../ml/fs-model-io.js';
import { notFound } from './http-errors.js';
import { readLabels } from './labels.js';

export type VersionState = 'LOADING' | 'AVAILABLE' | 'END' | 'UNKNOWN';

export interface ServedVersion {
  version: number;
  state: VersionState;
  error?: string;
  model?: tf.LayersModel;
  /** sizes and mtimes of the folder's files: a change means reload */
  fingerprint: string;
}

interface ModelEntry {
  versions: Map<number, ServedVersion>;
  /** a Map: label names come from URLs, and must not reach Object's prototype */
  labels: Map<string, number>;
}

export interface RepositoryOptions {
  /** how often to rescan the folders (ms) */
  pollMs?: number;
  /** keep only the newest N versions (plus any a label points to); default all */
  maxVersions?: number;
  /** load and unload notices, for the CLI to print */
  log?: (message: string) => void;
}

export interface VersionSelector {
  version?: number;
  label?: string;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** undefined when the folder has no model.json yet (still being written, or not a model). */
async function fingerprint(dir: string): Promise<string | undefined> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
  if (!names.includes(MODEL_JSON)) return undefined;
  const parts: string[] = [];
  for (const n of names) {
    const st = await fs.stat(path.join(dir, n)).catch(() => undefined);
    if (st?.isFile()) parts.push(`${n}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('|');
}

export class ModelRepository {
  private readonly models = new Map<string, ModelEntry>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  readonly pollMs: number;

  constructor(
    readonly base: string,
    private readonly options: RepositoryOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 2000;
  }

  /** Scan once (so the server starts with its models loaded), then keep polling. */
  async start(): Promise<void> {
    await this.refresh();
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.refresh().finally(tick), this.pollMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scanning;
    for (const entry of this.models.values()) for (const v of entry.versions.values()) v.model?.dispose();
    this.models.clear();
  }

  /** One scan; concurrent callers share the one in flight. Never throws: problems are logged. */
  refresh(): Promise<void> {
    this.scanning ??= this.scan()
      .catch((err) => this.log(`scan of ${this.base} failed: ${errorText(err)}`))
      .finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  /** Versions newest first, narrowed by the selector; 404 for an unknown model, version or label. */
  status(model: string, sel: VersionSelector = {}): ServedVersion[] {
    const entry = this.entry(model);
    const all = [...entry.versions.values()].sort((a, b) => b.version - a.version);
    if (sel.label !== undefined) return [this.byVersion(model, entry, this.labelVersion(model, entry, sel.label))];
    if (sel.version !== undefined) return [this.byVersion(model, entry, sel.version)];
    return all;
  }

  /** The version a request is served by: the one named, the label's, or the newest available. */
  resolve(model: string, sel: VersionSelector = {}): ServedVersion & { model: tf.LayersModel } {
    const entry = this.entry(model);
    let v: ServedVersion | undefined;
    if (sel.label !== undefined || sel.version !== undefined) {
      v = this.status(model, sel)[0]!;
    } else {
      v = [...entry.versions.values()].filter((x) => x.state === 'AVAILABLE').sort((a, b) => b.version - a.version)[0];
      if (!v) throw notFound(`model '${model}' has no available version`);
    }
    if (v.state !== 'AVAILABLE' || !v.model) {
      const via = sel.label !== undefined ? `label '${sel.label}' -> ` : '';
      throw notFound(
        `model '${model}' ${via}version ${v.version} is not available (state ${v.state}${v.error ? `: ${v.error}` : ''})`,
      );
    }
    return v as ServedVersion & { model: tf.LayersModel };
  }

  labels(model: string): Map<string, number> {
    return new Map(this.entry(model).labels);
  }

  // errors name the model, never the folder: HTTP clients must not learn the server's paths
  private entry(model: string): ModelEntry {
    const entry = this.models.get(model);
    if (!entry) throw notFound(`model '${model}' not found`);
    return entry;
  }

  private byVersion(model: string, entry: ModelEntry, version: number): ServedVersion {
    const v = entry.versions.get(version);
    if (!v) throw notFound(`model '${model}' has no version ${version}`);
    return v;
  }

  private labelVersion(model: string, entry: ModelEntry, label: string): number {
    const version = entry.labels.get(label);
    if (version === undefined) throw notFound(`model '${model}' has no label '${label}'`);
    return version;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private async scan(): Promise<void> {
    const names = new Set(await listDirs(this.base));
    for (const [name, entry] of this.models) {
      if (names.has(name)) continue;
      for (const v of entry.versions.values()) v.model?.dispose();
      this.models.delete(name);
      this.log(`${name}: removed`);
    }
    for (const name of [...names].sort()) {
      if (this.stopped) return;
      await this.scanModel(name);
    }
  }

  private async scanModel(name: string): Promise<void> {
    const dir = path.join(this.base, name);
    const found = new Map<number, string>();
    for (const d of await listDirs(dir)) {
      if (!/^\d+$/.test(d)) continue;
      const fp = await fingerprint(path.join(dir, d));
      if (fp !== undefined) found.set(Number(d), fp);
    }
    const existing = this.models.get(name);
    let labels = existing?.labels ?? new Map<string, number>();
    try {
      labels = new Map(Object.entries(readLabels(this.base, name).labels));
    } catch (err) {
      this.log(`${name}: labels.json ignored, keeping the previous labels: ${errorText(err)}`);
    }
    // a folder without a complete version (yet) is not a model
    if (!existing && found.size === 0) return;
    const entry: ModelEntry = existing ?? { versions: new Map(), labels };
    entry.labels = labels;
    this.models.set(name, entry);

    let wanted = [...found.keys()].sort((a, b) => b - a);
    if (this.options.maxVersions !== undefined) {
      const labelled = new Set(labels.values());
      wanted = wanted.filter((v, i) => i < this.options.maxVersions! || labelled.has(v));
    }
    const keep = new Set(wanted);
    for (const [version, v] of entry.versions) {
      if (keep.has(version)) continue;
      v.model?.dispose();
      entry.versions.delete(version);
      this.log(`${name}: version ${version} unloaded`);
    }
    for (const version of wanted) {
      if (this.stopped) return;
      const fp = found.get(version)!;
      const current = entry.versions.get(version);
      if (current?.fingerprint === fp) continue;
      await this.loadVersion(name, entry, version, fp, current);
    }
  }

  private async loadVersion(
    name: string,
    entry: ModelEntry,
    version: number,
    fp: string,
    current?: ServedVersion,
  ): Promise<void> {
    // a changed version keeps answering with its old model until the new one has loaded
    if (!current) entry.versions.set(version, { version, state: 'LOADING', fingerprint: fp });
    try {
      const model = await loadModel(path.join(this.base, name, String(version)));
      current?.model?.dispose();
      entry.versions.set(version, { version, state: 'AVAILABLE', model, fingerprint: fp });
      this.log(`${name}: version ${version} ${current ? 'reloaded' : 'loaded'}`);
    } catch (err) {
      current?.model?.dispose();
      // status and 404s show the error over HTTP: paths relative to the model base, as `lin/3/weights.bin`
      const error = errorText(err).replaceAll(this.base + path.sep, '');
      entry.versions.set(version, { version, state: 'END', error, fingerprint: fp });
      this.log(`${name}: version ${version} failed to load: ${errorText(err)}`);
    }
  }
}
