/**
 * The model base's layout, the one place every reader and writer of it agrees on (the server's
 * repository, the Pusher, `tsfx models`, promote): `{base}/{model}/{version}/` folders named by
 * an integer (names starting with '.' are never models or versions: a Pusher stages under
 * `.push-*`), each checked the way the server would find it broken (model.json missing or not
 * JSON, a weights file it names missing), with the provenance.json the Pusher wrote beside it,
 * and which versions a policy loads. Without tfjs, so the CLI reads it quickly.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DefinitionError } from '../errors.js';

export const PROVENANCE_FILE = 'provenance.json';
export const WARMUP_DIR = 'assets.extra';
export const WARMUP_FILE = 'warmup_requests.json';
/** fs-model-io's MODEL_JSON, spelled out: that module loads tfjs, which the CLI's readers don't need */
export const MODEL_JSON = 'model.json';
/** a version's warm-up requests (a JSON array of REST :predict bodies), relative to its folder */
export const WARMUP_PATH = path.join(WARMUP_DIR, WARMUP_FILE);

/** Where a pushed version came from; written by the Pusher as provenance.json. */
export interface Provenance {
  pipeline: string | null;
  runId: string | null;
  nodeId: string | null;
  execution: number | null;
  /** the Model artifact id */
  model: number;
  modelBlessing: number | null;
  modelEvaluation: number | null;
  infraBlessing: number | null;
  /** the Model's folder it was copied from */
  source: string;
  pushedAt: string;
  pushedBy: string;
  forced: boolean;
  reason: string | null;
}

export interface VersionInfo {
  version: number;
  dir: string;
  valid: boolean;
  error?: string;
  provenance?: Provenance;
}

/**
 * A served model or label name: it becomes a folder name, so no separators, no '..', and no
 * leading '.' (those folders are the Pusher's staging and lock files).
 */
export const SERVED_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkName(name: string, what: string, at: (string | number)[] = []): string {
  if (!SERVED_NAME.test(name))
    throw new DefinitionError(
      `${what} '${name}' must start with a letter or digit and hold only letters, digits, '_', '.', '-' (at most 128)`,
      at,
    );
  return name;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Why the server would fail to load this folder, or undefined when it looks complete. */
export function versionProblem(dir: string): string | undefined {
  let json: { weightsManifest?: { paths?: unknown; weights?: unknown }[] };
  try {
    json = readJson(path.join(dir, MODEL_JSON)) as typeof json;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no ${MODEL_JSON}` : `${MODEL_JSON}: ${(err as Error).message}`;
  }
  if (!json || typeof json !== 'object' || !Array.isArray(json.weightsManifest))
    return `${MODEL_JSON} has no weightsManifest`;
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths)) return `${MODEL_JSON}: a weightsManifest group has no paths`;
    for (const p of group.paths) {
      if (typeof p !== 'string' || p.includes('..') || path.isAbsolute(p))
        return `${MODEL_JSON}: bad weights path ${JSON.stringify(p)}`;
      if (!fs.existsSync(path.join(dir, p))) return `weights file ${p} is missing`;
    }
  }
  return undefined;
}

export function readProvenance(dir: string): Provenance | undefined {
  try {
    return readJson(path.join(dir, PROVENANCE_FILE)) as Provenance;
  } catch {
    return undefined;
  }
}

/** Integer-named folders of a served model, oldest first (no '.'-prefixed staging ones). */
export function versionNumbers(modelDir: string): number[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(modelDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((d) => d.isDirectory() && /^\d+$/.test(d.name))
    .map((d) => Number(d.name))
    .filter(Number.isSafeInteger)
    .sort((a, b) => a - b);
}

export function listVersions(base: string, model: string): VersionInfo[] {
  const modelDir = path.join(base, model);
  return versionNumbers(modelDir).map((version) => {
    const dir = path.join(modelDir, String(version));
    const error = versionProblem(dir);
    const provenance = readProvenance(dir);
    return { version, dir, valid: !error, ...(error ? { error } : {}), ...(provenance ? { provenance } : {}) };
  });
}

/** Served models: folders under the base not starting with '.'. */
export function listModels(base: string): string[] {
  try {
    return fs
      .readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Which versions of each model to load (TF Serving's model_version_policy). */
export type VersionPolicy = { latest: number } | { all: true } | { specific: number[] };

/** Subfolders of `dir` not starting with '.'; none when `dir` does not exist. */
export async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Sizes and mtimes of a version's files (a change means reload); undefined until model.json exists. */
export async function fingerprint(dir: string): Promise<string | undefined> {
  const names = (await fsp.readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
  if (!names.includes(MODEL_JSON)) return undefined;
  const parts: string[] = [];
  for (const n of names) {
    const st = await fsp.stat(path.join(dir, n)).catch(() => undefined);
    if (st?.isFile()) parts.push(`${n}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('|');
}

/** The versions (of those found) the policy wants loaded, newest first. */
export function policyVersions(policy: VersionPolicy, found: number[]): number[] {
  const newest = [...found].sort((a, b) => b - a);
  if ('all' in policy) return newest;
  if ('specific' in policy) return newest.filter((v) => policy.specific.includes(v));
  return newest.slice(0, policy.latest);
}
