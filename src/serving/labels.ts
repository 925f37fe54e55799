/**
 * `{base}/{model}/labels.json`: which version each label (stable, canary) points to, plus the
 * versions each label pointed to before, so `rollback` can step back. A hand-written flat map
 * (`{"stable": 1}`) is read as labels with no history. Every move is also recorded, with who,
 * when and why, in history.jsonl beside it (history.ts); both are changed under one lock
 * (file-lock.ts), so concurrent promotes never lose one another's move.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataError, DefinitionError } from '../errors.js';
import { withLock } from './file-lock.js';
import { appendHistory } from './history.js';
import { checkName, MODEL_JSON, versionProblem } from './version-folder.js';

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
  // rename so a polling server never reads a half-written file; fsync so a crash after the
  // command returned cannot bring the old labels back
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(data, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface LabelMoveOptions {
  label?: string;
  /** why, recorded in history.jsonl */
  reason?: string;
}

/**
 * Point `label` at `version`, remembering where it pointed before, and record the move in
 * history.jsonl (before labels.json changes: see history.ts). The version must be a folder the
 * server would load (model.json and the weights it names present).
 */
export function promote(
  base: string,
  model: string,
  version: number,
  opts: LabelMoveOptions | string = {},
): LabelsFile {
  const { label = 'stable', reason } = typeof opts === 'string' ? { label: opts } : opts;
  checkName(model, 'model', ['model']);
  if (!Number.isSafeInteger(version) || version < 0)
    throw new DefinitionError(`version must be a non-negative integer, got ${version}`, ['version']);
  checkLabel(label);
  const dir = path.join(base, model, String(version));
  if (!fs.existsSync(path.join(dir, MODEL_JSON)))
    throw new DefinitionError(`no saved model at ${dir} (no ${MODEL_JSON})`, ['version']);
  const problem = versionProblem(dir);
  if (problem)
    throw new DefinitionError(`version ${version} of '${model}' is not servable: ${problem} (${dir})`, ['version']);
  return withLock(path.join(base, model), () => {
    const data = readLabels(base, model);
    const current = data.labels[label];
    if (current === version) return data;
    appendHistory(base, model, {
      action: 'promote',
      label,
      from: current ?? null,
      to: version,
      ...(reason ? { reason } : {}),
    });
    if (current !== undefined) (data.history[label] ??= []).push(current);
    data.labels[label] = version;
    writeLabels(base, model, data);
    return data;
  });
}

/** Move `label` back to the version it pointed to before the last promote, recorded in history.jsonl. */
export function rollback(base: string, model: string, opts: LabelMoveOptions | string = {}): LabelsFile {
  const { label = 'stable', reason } = typeof opts === 'string' ? { label: opts } : opts;
  checkName(model, 'model', ['model']);
  checkLabel(label);
  return withLock(path.join(base, model), () => {
    const data = readLabels(base, model);
    const current = data.labels[label];
    if (current === undefined) throw new DefinitionError(`model '${model}' has no label '${label}'`, ['label']);
    const stack = data.history[label] ?? [];
    // skip earlier versions that were removed or broke since: a label points only at servable folders
    let previous: number | undefined;
    while (
      (previous = stack.pop()) !== undefined &&
      versionProblem(path.join(base, model, String(previous))) !== undefined
    );
    if (previous === undefined)
      throw new DefinitionError(`label '${label}' of model '${model}' has no earlier version to roll back to`, [
        'label',
      ]);
    appendHistory(base, model, {
      action: 'rollback',
      label,
      from: current,
      to: previous,
      ...(reason ? { reason } : {}),
    });
    data.history[label] = stack;
    data.labels[label] = previous;
    writeLabels(base, model, data);
    return data;
  });
}

function checkLabel(label: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(label))
    throw new DefinitionError(`label '${label}' may hold only letters, digits, '_', '.', '-'`, ['label']);
}
