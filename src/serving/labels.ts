/**
 * `{base}/{model}/labels.json`: which version each label (stable, canary) points to, plus the
 * versions each label pointed to before, so `rollback` can step back. A hand-written flat map
 * (`{"stable": 1}`) is read as labels with no history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataError, DefinitionError } from '../errors.js';

/**
 * Both maps have no prototype: labels come from URLs and files, and a plain object would answer
 * `constructor` or `__proto__` with Object's members.
 */
export interface LabelsFile {
  labels: Record<string, number>;
  /** per label, the versions it pointed to before, oldest first */
  history: Record<string, number[]>;
}

const emptyMap = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
const emptyLabels = (): LabelsFile => ({ labels: emptyMap(), history: emptyMap() });

// fs-model-io's MODEL_JSON, not imported: that module loads tfjs, which promote/rollback don't need
const MODEL_JSON = 'model.json';

export const labelsPath = (base: string, model: string) => path.join(base, model, 'labels.json');

export function readLabels(base: string, model: string): LabelsFile {
  const file = labelsPath(base, model);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyLabels();
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message})`, file);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DataError('expected an object', file);
  const obj = raw as Record<string, unknown>;
  const flat = !Object.hasOwn(obj, 'labels');
  const labels = (flat ? obj : obj.labels) as Record<string, unknown>;
  const history = (flat ? {} : (obj.history ?? {})) as Record<string, unknown>;
  const out = emptyLabels();
  for (const [label, v] of Object.entries(labels ?? {})) {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new DataError(`label '${label}': version ${JSON.stringify(v)} is not a non-negative integer`, file);
    out.labels[label] = n;
  }
  for (const [label, list] of Object.entries(history ?? {})) {
    if (!Array.isArray(list)) throw new DataError(`history.${label} is not a list`, file);
    out.history[label] = list.map(Number);
  }
  return out;
}

function writeLabels(base: string, model: string, data: LabelsFile): void {
  const file = labelsPath(base, model);
  // rename so a polling server never reads a half-written file
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Point `label` at `version`, remembering where it pointed before. */
export function promote(base: string, model: string, version: number, label = 'stable'): LabelsFile {
  if (!Number.isSafeInteger(version) || version < 0)
    throw new DefinitionError(`version must be a non-negative integer, got ${version}`, ['version']);
  if (!/^[A-Za-z0-9_.-]+$/.test(label))
    throw new DefinitionError(`label '${label}' may hold only letters, digits, '_', '.', '-'`, ['label']);
  const dir = path.join(base, model, String(version));
  if (!fs.existsSync(path.join(dir, MODEL_JSON)))
    throw new DefinitionError(`no saved model at ${dir} (no ${MODEL_JSON})`, ['version']);
  const data = readLabels(base, model);
  const current = data.labels[label];
  if (current === version) return data;
  if (current !== undefined) (data.history[label] ??= []).push(current);
  data.labels[label] = version;
  writeLabels(base, model, data);
  return data;
}

/** Move `label` back to the version it pointed to before the last promote. */
export function rollback(base: string, model: string, label = 'stable'): LabelsFile {
  const data = readLabels(base, model);
  if (data.labels[label] === undefined)
    throw new DefinitionError(`model '${model}' has no label '${label}'`, ['label']);
  const previous = data.history[label]?.pop();
  if (previous === undefined)
    throw new DefinitionError(`label '${label}' of model '${model}' has no earlier version to roll back to`, ['label']);
  data.labels[label] = previous;
  writeLabels(base, model, data);
  return data;
}
