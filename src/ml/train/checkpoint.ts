/**
 * Training checkpoints: everything a killed or retried Trainer needs to go on where it stopped,
 * in a folder `<checkpointDir>/<last|best>/` of `checkpoint.json` (epochs, history, callback
 * state, data position) and `tensors.bin` (every array, float32 little-endian, back to back).
 *
 * Written into a temporary folder beside it, fsynced, then renamed into place, so a kill at any
 * moment leaves either the previous checkpoint or the new one, never half of one. Linux can't
 * rename a folder over a non-empty one: the old folder is first renamed aside (`.last.old-*`),
 * and a reader finding no `last` but a `.last.old-*` (a kill between the two renames) takes it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DataError } from '../../errors.js';
import type { TrainState } from './stepper.js';

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What a callback keeps across a resume: plain JSON, plus arrays (best weights) if it has any. */
export interface CallbackState {
  json?: unknown;
  arrays?: NamedArray[];
}

/** One epoch's logs as Keras has them: loss, metrics, val_*, learning_rate. */
export type Logs = Record<string, number>;

export interface HistoryEntry {
  /** 0-based, as Keras numbers epochs in logs */
  epoch: number;
  logs: Logs;
}

export interface Checkpoint {
  /** the last completed epoch (0-based) */
  epoch: number;
  /** training ended (epochs done or stopped early): a resume has nothing left to run */
  done: boolean;
  /** a callback asked to stop after this epoch (a kill before the end of training must not undo that) */
  stopTraining?: boolean;
  state: TrainState;
  history: HistoryEntry[];
  /** per callback name */
  callbacks: Record<string, CallbackState>;
  /** where the data stands: each epoch's order follows from (seed, epoch), so this is all the RNG state */
  data: { seed: number; nextEpoch: number; nextBatch: number };
  /** the monitored value that made `best` */
  best?: { monitor: string; value: number; epoch: number };
}

const JSON_FILE = 'checkpoint.json';
const BIN_FILE = 'tensors.bin';
const FORMAT = 'tsfx-checkpoint-1';

// JSON has no NaN or Infinity; a loss can be either, and a monitor's best starts at Infinity
const encodeNumbers = (_k: string, v: unknown) =>
  typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v;
const decodeNumbers = (_k: string, v: unknown) =>
  v && typeof v === 'object' && '$number' in v && Object.keys(v).length === 1
    ? Number((v as { $number: string }).$number)
    : v;

interface ArrayEntry {
  group: string;
  name: string;
  shape: number[];
  /** offset in tensors.bin, in float32 elements */
  at: number;
  length: number;
}

/** Write `ckpt` as `<dir>/<which>/`, atomically. */
export async function writeCheckpoint(dir: string, which: 'last' | 'best', ckpt: Checkpoint): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  const groups: [string, NamedArray[]][] = [
    ['weights', ckpt.state.weights],
    ['optimizer', ckpt.state.optimizer],
    ...Object.entries(ckpt.callbacks).map(([name, s]): [string, NamedArray[]] => [`callback:${name}`, s.arrays ?? []]),
  ];
  const entries: ArrayEntry[] = [];
  let at = 0;
  for (const [group, arrays] of groups) {
    for (const a of arrays) {
      entries.push({ group, name: a.name, shape: a.shape, at, length: a.values.length });
      at += a.values.length;
    }
  }
  const bin = new Float32Array(at);
  let i = 0;
  for (const [, arrays] of groups) for (const a of arrays) bin.set(a.values, entries[i++]!.at);
  const callbacks = Object.fromEntries(Object.entries(ckpt.callbacks).map(([k, s]) => [k, { json: s.json }]));
  const meta = {
    format: FORMAT,
    ...ckpt,
    state: { learningRate: ckpt.state.learningRate },
    callbacks,
    arrays: entries,
  };

  const target = path.join(dir, which);
  const tmp = path.join(dir, `.${which}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    await fs.promises.mkdir(tmp);
    await writeSynced(path.join(tmp, BIN_FILE), Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength));
    await writeSynced(path.join(tmp, JSON_FILE), Buffer.from(JSON.stringify(meta, encodeNumbers)));
    const old = path.join(dir, `.${which}.old-${randomUUID().slice(0, 8)}`);
    const hadOld = await fs.promises.rename(target, old).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
    await fs.promises.rename(tmp, target);
    await syncDir(dir);
    if (hadOld) await fs.promises.rm(old, { recursive: true, force: true });
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/** Read `<dir>/<which>/`, or undefined when there is none. A damaged one is a DataError naming it. */
export async function readCheckpoint(dir: string, which: 'last' | 'best'): Promise<Checkpoint | undefined> {
  let folder = path.join(dir, which);
  if (!fs.existsSync(path.join(folder, JSON_FILE))) {
    // killed between moving the old one aside and moving the new one in: the old one is whole
    const aside = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((n) => n.startsWith(`.${which}.old-`));
    if (aside.length === 0) return undefined;
    folder = path.join(dir, aside[0]!);
  }
  const jsonFile = path.join(folder, JSON_FILE);
  let meta: Omit<Checkpoint, 'state' | 'callbacks'> & {
    format: string;
    state: { learningRate: number };
    callbacks: Record<string, { json?: unknown }>;
    arrays: ArrayEntry[];
  };
  try {
    meta = JSON.parse(await fs.promises.readFile(jsonFile, 'utf8'), decodeNumbers);
  } catch (err) {
    throw new DataError(`unreadable checkpoint: ${(err as Error).message}`, jsonFile);
  }
  if (meta.format !== FORMAT)
    throw new DataError(`not a ${FORMAT} checkpoint (format ${String(meta.format)})`, jsonFile);
  const raw = await fs.promises.readFile(path.join(folder, BIN_FILE));
  const total = meta.arrays.reduce((s, e) => Math.max(s, e.at + e.length), 0);
  if (raw.byteLength !== total * 4)
    throw new DataError(
      `tensors.bin has ${raw.byteLength} bytes, checkpoint.json describes ${total * 4}`,
      path.join(folder, BIN_FILE),
    );
  const bin = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const group = (g: string) =>
    meta.arrays
      .filter((e) => e.group === g)
      .map((e) => ({ name: e.name, shape: e.shape, values: bin.slice(e.at, e.at + e.length) }));
  const callbacks: Record<string, CallbackState> = {};
  for (const [name, s] of Object.entries(meta.callbacks))
    callbacks[name] = { json: s.json, arrays: group(`callback:${name}`) };
  const { format: _f, arrays: _a, ...rest } = meta;
  return {
    ...rest,
    state: { weights: group('weights'), optimizer: group('optimizer'), learningRate: meta.state.learningRate },
    callbacks,
  };
}

async function writeSynced(file: string, data: Buffer): Promise<void> {
  const fh = await fs.promises.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
