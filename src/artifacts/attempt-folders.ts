/**
 * Attempt-scoped output folders. Temporal can have two attempts of one activity alive at once
 * (a paused worker resumes after its attempt timed out and was retried elsewhere), so attempts
 * never share files: each writes into a staging folder of its own and, as its very last step,
 * moves it into place. Files and properties in place therefore always come from one attempt,
 * and the publisher checks it is the one the workflow accepted (the token).
 *
 * One final folder (a shard's partial) moves in with one rename here: a rename onto a folder
 * that is already there fails, so the first attempt to finish wins; a later one leaves the
 * winner's files alone, drops its own and reports what the winner recorded. An execution's
 * outputs, one folder per artifact, move in after a claim instead (commit-claim.ts).
 *
 * A failed attempt removes only its own staging folder, never the final one: a zombie's
 * cleanup can't delete what another attempt published.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TsfxError } from '../errors.js';

/** Written into the final folder with the outputs: which attempt they came from, and its result. */
export interface AttemptRecord<R = unknown> {
  /** unique per attempt: `<attempt>-<random>` */
  token: string;
  attempt: number;
  result: R;
  committedAt: string;
}

const RECORD_FILE = '.tsfx-attempt.json';

export interface Staging {
  /** the attempt's own folder, emptied; the executor writes here */
  dir: string;
  token: string;
  attempt: number;
  final: string;
  /** set once this staging folder backs the execution's claim: then only the publisher removes it */
  claimed?: boolean;
}

/** Staging folders of one final folder (or execution) live beside it: `<parent>/.staging/<name>-<token>`. */
export function stagingParent(final: string): string {
  return path.join(path.dirname(final), '.staging');
}

/** Every staging folder of `final` (any attempt), for the publisher and gc to sweep. */
export async function stagingFoldersOf(final: string): Promise<string[]> {
  const parent = stagingParent(final);
  const prefix = `${path.basename(final)}-`;
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix)).map((n) => path.join(parent, n));
}

/** What the attempt that moved `final` into place recorded; undefined while nothing is there. */
export async function readCommitted<R>(final: string): Promise<AttemptRecord<R> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(final, RECORD_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as AttemptRecord<R>;
  } catch (err) {
    throw new TsfxError(`${path.join(final, RECORD_FILE)} is not valid JSON: the folder was changed by hand`, {
      cause: err,
    });
  }
}

/** A fresh, empty staging folder for this attempt of `final`. */
export async function openStaging(final: string, attempt: number): Promise<Staging> {
  const token = `${attempt}-${randomBytes(4).toString('hex')}`;
  const dir = path.join(stagingParent(final), `${path.basename(final)}-${token}`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  return { dir, token, attempt, final };
}

/**
 * Move the staging folder into place as one rename. Returns the record now in place: this
 * attempt's, or the earlier winner's (this attempt's files are then dropped).
 */
export async function commitStaging<R>(staging: Staging, result: R): Promise<AttemptRecord<R>> {
  const record: AttemptRecord<R> = {
    token: staging.token,
    attempt: staging.attempt,
    result,
    committedAt: new Date().toISOString(),
  };
  const recordPath = path.join(staging.dir, RECORD_FILE);
  const handle = await fs.open(recordPath, 'w');
  try {
    await handle.writeFile(JSON.stringify(record));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.mkdir(path.dirname(staging.final), { recursive: true });
  try {
    await fs.rename(staging.dir, staging.final);
    return record;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  // another attempt got there first: its files stay, ours go
  await discardStaging(staging);
  const winner = await readCommitted<R>(staging.final);
  if (!winner)
    throw new TsfxError(`${staging.final} exists but holds no ${RECORD_FILE}: it was not written by a tsfx attempt`);
  return winner;
}

/** Remove this attempt's staging folder, unless a claim names it (its outputs may still be moving in). */
export async function discardStaging(staging: Staging): Promise<void> {
  if (staging.claimed) return;
  await fs.rm(staging.dir, { recursive: true, force: true });
}
