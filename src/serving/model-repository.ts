/**
 * The models a server answers for, kept in step with `{base}/{model}/{version}/` folders by
 * polling: new versions load, removed ones unload, labels.json changes apply, all without a
 * restart. Which versions load is the version policy (latest N, all, specific), plus every
 * version a label names. A version counts once its model.json exists (writers rename complete
 * folders into place; fs-model-io writes model.json last); names starting with '.' are never
 * models or versions. Swaps preserve availability, as TF Serving's AvailabilityPreservingPolicy:
 * a new version is loaded and warmed up before an old one is unloaded, an old one stays while
 * no wanted version is AVAILABLE, a label moves only once its new version is AVAILABLE, and an
 * unloaded version is disposed only when its last in-flight request has finished. A version
 * that fails to load is reported (END with the error) and retried only when its files change.
 */
import path from 'node:path';
import { DataError } from '../errors.js';
import { badRequest, failedPrecondition, notFound, ServingError } from './http-errors.js';
import { readLabels } from './labels.js';
import type { GrpcCodeName, VersionStateName } from './servable.js';
import { loadServable, type Servable } from './servable-loader.js';
import { warmUp } from './warmup.js';
import { fingerprint, listDirs, policyVersions, SERVED_NAME, type VersionPolicy } from './version-folder.js';

export { SERVED_NAME, type VersionPolicy } from './version-folder.js';

export interface ServedVersion {
  version: number;
  state: VersionStateName;
  errorCode: GrpcCodeName;
  error?: string;
  servable?: Servable;
  /** sizes and mtimes of the folder's files: a change means reload */
  fingerprint: string;
  inflight: number;
  /** unloaded: dispose once inflight drops to 0 */
  retired: boolean;
}

interface ModelEntry {
  versions: Map<number, ServedVersion>;
  /** labels as labels.json says them (a Map: label names come from URLs) */
  wanted: Map<string, number>;
  /** labels as served: each points at an AVAILABLE version */
  labels: Map<string, number>;
}

export interface RepositoryOptions {
  /** how often to rescan the folders (ms) */
  pollMs?: number;
  /** default: latest 1, as TF Serving */
  policy?: VersionPolicy;
  /** @deprecated the policy `{latest: n}` */
  maxVersions?: number;
  /** load and unload notices, for the CLI to print */
  log?: (message: string) => void;
  /** lifecycle hooks (the batcher and the warm-up metrics sit there) */
  hooks?: RepositoryHooks;
}

/** What the server attaches to a version's life: one place each, called by the repository only. */
export interface RepositoryHooks {
  /** the version is loaded and warmed up, and about to be AVAILABLE */
  onAvailable?(model: string, version: number, servable: Servable): void;
  /** the servable's last request has finished and it is about to be disposed */
  onDispose?(servable: Servable): void;
  /** a version's warm-up ran (only when it has warm-up requests): 'OK' or the error's text */
  onWarmup?(event: {
    model: string;
    version: number;
    dir: string;
    status: string;
    latencyMs: number;
    records: number;
  }): void;
}

export interface VersionSelector {
  version?: number;
  label?: string;
}

/** A version held for one request: release it when the request is done. */
export interface ServableHandle {
  name: string;
  version: number;
  servable: Servable;
  release(): void;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const loadErrorCode = (err: unknown): GrpcCodeName =>
  err instanceof ServingError ? err.code : err instanceof DataError ? 'DATA_LOSS' : 'UNKNOWN';
export class ModelRepository {
  private readonly models = new Map<string, ModelEntry>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  readonly pollMs: number;
  readonly policy: VersionPolicy;

  constructor(
    readonly base: string,
    private readonly options: RepositoryOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 2000;
    this.policy = options.policy ?? (options.maxVersions ? { latest: options.maxVersions } : { latest: 1 });
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
    for (const entry of this.models.values()) for (const v of entry.versions.values()) this.retire(v);
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

  /** Versions newest first, or the one a version or label names (TF Serving's GetModelStatus). */
  status(model: string, sel: VersionSelector = {}): ServedVersion[] {
    const entry = this.entry(model, 'status');
    if (sel.label !== undefined) return [entry.versions.get(this.labelVersion(model, entry, sel.label))!];
    if (sel.version !== undefined) {
      const v = entry.versions.get(sel.version);
      if (!v) throw notFound(`Could not find version ${sel.version} of model ${model}`);
      return [v];
    }
    const all = [...entry.versions.values()].sort((a, b) => b.version - a.version);
    if (all.length === 0) throw notFound(`Could not find any versions of model ${model}`);
    return all;
  }

  /**
   * Hold the version a request is served by: the one named, the label's, or the newest
   * AVAILABLE. NOT_FOUND for an unknown model or a version not AVAILABLE, INVALID_ARGUMENT for
   * an unknown label, as TF Serving's ServerCore answers.
   */
  acquire(model: string, sel: VersionSelector = {}): ServableHandle {
    const entry = this.entry(model, 'request');
    let v: ServedVersion | undefined;
    const request =
      sel.label !== undefined
        ? `Specific(${model}, label ${sel.label})`
        : sel.version !== undefined
          ? `Specific(${model}, ${sel.version})`
          : `Latest(${model})`;
    if (sel.label !== undefined) v = entry.versions.get(this.labelVersion(model, entry, sel.label));
    else if (sel.version !== undefined) v = entry.versions.get(sel.version);
    else
      v = [...entry.versions.values()].filter((x) => x.state === 'AVAILABLE').sort((a, b) => b.version - a.version)[0];
    if (!v) {
      const why =
        sel.version !== undefined
          ? `model '${model}' has no version ${sel.version}`
          : `model '${model}' has no available version`;
      throw notFound(`Servable not found for request: ${request}: ${why}`);
    }
    if (v.state !== 'AVAILABLE' || !v.servable)
      throw notFound(
        `Servable not found for request: ${request}: version ${v.version} is not available (state ${v.state}${v.error ? `: ${v.error}` : ''})`,
      );
    v.inflight++;
    const held = v;
    let released = false;
    return {
      name: model,
      version: v.version,
      servable: v.servable,
      release: () => {
        if (released) return;
        released = true;
        held.inflight--;
        if (held.retired && held.inflight === 0) this.dispose(held);
      },
    };
  }

  /** labels as served (each on an AVAILABLE version) */
  labels(model: string): Map<string, number> {
    return new Map(this.entry(model, 'status').labels);
  }

  // errors name the model, never the folder: HTTP clients must not learn the server's paths
  private entry(model: string, kind: 'status' | 'request'): ModelEntry {
    if (!SERVED_NAME.test(model)) throw badRequest(`invalid model name '${model}': a letter or digit first, then letters, digits, '_', '.', '-' (at most 128)`);
    const entry = this.models.get(model);
    if (!entry)
      throw notFound(
        kind === 'status'
          ? `Could not find any versions of model ${model}`
          : `Servable not found for request: Latest(${model}): model '${model}' not found`,
      );
    return entry;
  }

  private labelVersion(model: string, entry: ModelEntry, label: string): number {
    const version = entry.labels.get(label);
    if (version !== undefined) return version;
    const wanted = entry.wanted.get(label);
    if (wanted !== undefined) {
      const v = entry.versions.get(wanted);
      throw failedPrecondition(
        `label '${label}' of model '${model}' points to version ${wanted}, which is not available for inference (${v ? `state ${v.state}${v.error ? `: ${v.error}` : ''}` : 'no such version'})`,
      );
    }
    throw badRequest(`Unrecognized servable version label: ${label} (model '${model}')`);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private dispose(v: ServedVersion): void {
    if (v.servable) this.options.hooks?.onDispose?.(v.servable);
    v.servable?.dispose();
    v.servable = undefined;
  }

  /** Out of service now; its tensors go once no request holds it. */
  private retire(v: ServedVersion): void {
    v.retired = true;
    if (v.inflight === 0) this.dispose(v);
  }

  private async scan(): Promise<void> {
    const names = new Set((await listDirs(this.base)).filter((n) => SERVED_NAME.test(n)));
    for (const [name, entry] of this.models) {
      if (names.has(name)) continue;
      for (const v of entry.versions.values()) this.retire(v);
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
      if (!/^\d+$/.test(d) || !Number.isSafeInteger(Number(d))) continue;
      const fp = await fingerprint(path.join(dir, d));
      if (fp !== undefined) found.set(Number(d), fp);
    }
    const existing = this.models.get(name);
    let wantedLabels = existing?.wanted ?? new Map<string, number>();
    try {
      wantedLabels = new Map(Object.entries(readLabels(this.base, name).labels));
    } catch (err) {
      this.log(`${name}: labels.json ignored, keeping the previous labels: ${errorText(err)}`);
    }
    // a folder without a complete version (yet) is not a model
    if (!existing && found.size === 0) return;
    const entry: ModelEntry = existing ?? { versions: new Map(), wanted: wantedLabels, labels: new Map() };
    entry.wanted = wantedLabels;
    this.models.set(name, entry);

    const byPolicy = policyVersions(this.policy, [...found.keys()]);
    const wanted = new Set(byPolicy);
    for (const v of wantedLabels.values()) if (found.has(v)) wanted.add(v);
    // load first: the versions being replaced keep answering meanwhile
    for (const version of [...wanted].sort((a, b) => b - a)) {
      if (this.stopped) return;
      const fp = found.get(version)!;
      const current = entry.versions.get(version);
      if (current?.fingerprint === fp && !current.retired) continue;
      await this.loadVersion(name, entry, version, fp, current);
    }
    this.moveLabels(name, entry);
    // then unload, but never while no version the policy wants is AVAILABLE (a labelled old
    // version does not count: latest requests would fall back to it), nor one a label points to
    const wantedUp = byPolicy.some((v) => entry.versions.get(v)?.state === 'AVAILABLE');
    const labelled = new Set(entry.labels.values());
    for (const [version, v] of entry.versions) {
      if (!found.has(version)) {
        this.retire(v);
        entry.versions.delete(version);
        entry.labels.forEach((target, label) => target === version && entry.labels.delete(label));
        this.log(`${name}: version ${version} removed`);
        continue;
      }
      if (wanted.has(version) || v.retired || v.state !== 'AVAILABLE') continue;
      if (!wantedUp || labelled.has(version)) continue;
      v.state = 'END';
      v.errorCode = 'OK';
      this.retire(v);
      this.log(`${name}: version ${version} unloaded`);
    }
  }

  /** Labels follow labels.json only onto AVAILABLE versions; until then they stay where they were. */
  private moveLabels(name: string, entry: ModelEntry): void {
    for (const label of [...entry.labels.keys()]) if (!entry.wanted.has(label)) entry.labels.delete(label);
    for (const [label, target] of entry.wanted) {
      if (entry.labels.get(label) === target) continue;
      if (entry.versions.get(target)?.state === 'AVAILABLE') {
        entry.labels.set(label, target);
        this.log(`${name}: label ${label} -> version ${target}`);
      } else {
        const kept = entry.labels.get(label);
        if (kept !== undefined && entry.versions.get(kept)?.state !== 'AVAILABLE') entry.labels.delete(label);
      }
    }
  }

  private async warmUp(model: string, version: number, dir: string, servable: Servable): Promise<void> {
    const onWarmup = this.options.hooks?.onWarmup;
    const t0 = performance.now();
    try {
      const records = await warmUp(dir, servable);
      if (records > 0) onWarmup?.({ model, version, dir, status: 'OK', latencyMs: performance.now() - t0, records });
    } catch (err) {
      onWarmup?.({ model, version, dir, status: errorText(err), latencyMs: performance.now() - t0, records: 0 });
      throw err;
    }
  }

  private async loadVersion(
    name: string,
    entry: ModelEntry,
    version: number,
    fp: string,
    current?: ServedVersion,
  ): Promise<void> {
    // a changed version keeps answering with its old servable until the new one has loaded
    const serving = current && current.state === 'AVAILABLE' && !current.retired ? current : undefined;
    if (!serving)
      entry.versions.set(version, {
        version,
        state: 'LOADING',
        errorCode: 'OK',
        fingerprint: fp,
        inflight: 0,
        retired: false,
      });
    const dir = path.join(this.base, name, String(version));
    let servable: Servable | undefined;
    try {
      servable = await loadServable(dir);
      await this.warmUp(name, version, dir, servable);
      this.options.hooks?.onAvailable?.(name, version, servable);
      if (serving) this.retire(serving);
      entry.versions.set(version, {
        version,
        state: 'AVAILABLE',
        errorCode: 'OK',
        servable,
        fingerprint: fp,
        inflight: 0,
        retired: false,
      });
      this.log(`${name}: version ${version} ${current ? 'reloaded' : 'loaded'}`);
    } catch (err) {
      servable?.dispose();
      if (serving) this.retire(serving);
      // status and 404s show the error over HTTP: paths relative to the model base, as `lin/3/weights.bin`
      const error = errorText(err).replaceAll(this.base + path.sep, '');
      entry.versions.set(version, {
        version,
        state: 'END',
        errorCode: loadErrorCode(err),
        error,
        fingerprint: fp,
        inflight: 0,
        retired: false,
      });
      this.log(`${name}: version ${version} failed to load: ${errorText(err)}`);
    }
  }
}
