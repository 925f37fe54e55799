/**
 * A real trained penguin Model (Trainer executor, seconds) laid out as the Pusher writes a
 * version: `{base}/{model}/{version}/` with the Model's files and
 * assets.extra/warmup_requests.json, written under a dot folder and renamed into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSignature } from '../../src/ml/model-predictor.js';
import { trainPenguins, type TrainedPenguins } from '../helpers/penguin-model.js';

export interface PenguinFixture extends TrainedPenguins {
  /** the raw features a request carries (signature.rawInputs) */
  rawNames: string[];
  /** eval rows with only the raw features (the label dropped) */
  requestRows: Record<string, unknown>[];
  classes: string[];
  label: string;
}

export async function penguinFixture(): Promise<PenguinFixture> {
  const trained = await trainPenguins();
  const sig = parseSignature(JSON.parse(fs.readFileSync(path.join(trained.model, 'signature.json'), 'utf8')));
  const rawNames = sig.rawInputs.map((r) => r.name);
  const requestRows = trained.evalRows.map((r) => Object.fromEntries(rawNames.map((n) => [n, r[n] ?? null])));
  return { ...trained, rawNames, requestRows, classes: sig.label.classes ?? [], label: sig.label.name };
}

/** Write a version atomically: copy into `{model}/.push-*`, add warm-up requests, rename. */
export function pushVersion(
  modelFolder: string,
  base: string,
  name: string,
  version: number,
  warmup?: unknown[],
  spoil?: (dir: string) => void,
): string {
  const parent = path.join(base, name);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.push-${version}-${process.pid}`);
  fs.cpSync(modelFolder, tmp, { recursive: true });
  if (warmup) {
    fs.mkdirSync(path.join(tmp, 'assets.extra'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'assets.extra', 'warmup_requests.json'), JSON.stringify(warmup));
  }
  spoil?.(tmp);
  const dir = path.join(parent, String(version));
  fs.renameSync(tmp, dir);
  return dir;
}
