/**
 * The model base's folders as the repository reads them: model and version folders (names
 * starting with '.' are never either: a Pusher stages under `.push-*`), a version's fingerprint
 * (its files' sizes and mtimes; none until model.json exists), and which versions a policy wants.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { MODEL_JSON } from '../ml/fs-model-io.js';

/** Which versions of each model to load (TF Serving's model_version_policy). */
export type VersionPolicy = { latest: number } | { all: true } | { specific: number[] };

/** model names as folders may carry them: no separators, no leading dot */
export const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Subfolders of `dir` not starting with '.'; none when `dir` does not exist. */
export async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** undefined when the folder has no model.json yet (still being written, or not a model). */
export async function fingerprint(dir: string): Promise<string | undefined> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
  if (!names.includes(MODEL_JSON)) return undefined;
  const parts: string[] = [];
  for (const n of names) {
    const st = await fs.stat(path.join(dir, n)).catch(() => undefined);
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
