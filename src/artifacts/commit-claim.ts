/**
 * How an execution's outputs move in. They go to one folder per artifact
 * (`<node>/<output>/<artifactId>`), so no single rename can move them together; instead the
 * attempt first claims the execution: it creates `<node>/.commits/<executionId>.json`, which
 * fails if any attempt already did, so exactly one attempt ever wins. The claim names the
 * winner's staging folder and every final folder; the renames that follow only carry out what
 * it says, so whoever finds a claim with renames left (a later attempt, the publisher) finishes
 * them: a final folder that exists is done, one that does not is renamed from the claim's
 * staging folder. That staging folder is therefore never discarded by an attempt (see
 * discardStaging), only by the publisher once every rename is done.
 *
 * The claim stays after publishing: it is the record of which attempt's files are in place, and
 * a zombie attempt that finishes late finds it and claims nothing (gc removes it with the execution).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { TsfxError } from '../errors.js';
import { discardStaging, type AttemptRecord, type Staging } from './attempt-folders.js';

/** The winner's claim: its attempt record, where its outputs are and where they go. */
export interface CommitRecord<R = unknown> extends AttemptRecord<R> {
  /** the winning attempt's staging folder; output `<name>` moves from `<staging>/<name>` */
  staging: string;
  /** output name -> its final folder (the artifact's URI) */
  outputs: Record<string, string>;
}

/** A claimed output is neither in place nor in its staging folder: no attempt can bring it back. */
export class LostOutputError extends TsfxError {
  override name = 'LostOutputError';
  override readonly retryable = false;
}

/** Written in the staging folder first, then linked as the claim: the claim appears complete or not at all. */
const DRAFT_FILE = '.tsfx-claim.json';

export async function readClaim<R>(claim: string): Promise<CommitRecord<R> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(claim, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as CommitRecord<R>;
  } catch (err) {
    throw new TsfxError(`${claim} is not valid JSON: the claim was cut short or changed by hand`, { cause: err });
  }
}

/**
 * Claim the execution for this attempt and move its outputs (`<staging>/<name>` -> `outputs[name]`)
 * in. Returns the claim in force: this attempt's, or the earlier winner's, whose renames this
 * call finishes and whose files stay (this attempt's are dropped).
 */
export async function claimAndMove<R>(
  staging: Staging,
  claim: string,
  outputs: Record<string, string>,
  result: R,
): Promise<CommitRecord<R>> {
  const record: CommitRecord<R> = {
    token: staging.token,
    attempt: staging.attempt,
    result,
    committedAt: new Date().toISOString(),
    staging: staging.dir,
    outputs,
  };
  const draft = path.join(staging.dir, DRAFT_FILE);
  const handle = await fs.open(draft, 'w');
  try {
    await handle.writeFile(JSON.stringify(record));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.mkdir(path.dirname(claim), { recursive: true });
  if (await createExclusive(draft, claim)) {
    // from here on the staging folder is the claim's: a failure below must not discard it
    staging.claimed = true;
    // the claim is on disk before any output moves (a crash must not keep renames without their claim)
    await syncDir(path.dirname(claim));
    await rollForward(record);
    return record;
  }
  await discardStaging(staging);
  const winner = await readClaim<R>(claim);
  if (!winner) throw new TsfxError(`${claim} vanished while this attempt found it claimed`);
  await rollForward(winner);
  return winner;
}

/** link(2) fails on an existing name, like O_EXCL, and publishes the finished file at once. */
async function createExclusive(draft: string, claim: string): Promise<boolean> {
  try {
    await fs.link(draft, claim);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  }
  // a filesystem without hard links: O_EXCL itself (a kill mid-write leaves a claim readClaim refuses)
  try {
    await fs.writeFile(claim, await fs.readFile(draft), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Finish the claim's renames; safe to run from several processes at once, and again. */
export async function rollForward(record: CommitRecord): Promise<void> {
  for (const [name, final] of Object.entries(record.outputs)) {
    if (await exists(final)) continue;
    const from = path.join(record.staging, name);
    await fs.mkdir(path.dirname(final), { recursive: true });
    try {
      await fs.rename(from, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      // another process moved it in between the check and the rename
      if (await exists(final)) continue;
      throw new LostOutputError(
        `output '${name}' of attempt ${record.token} is neither at ${final} nor in its staging folder ${from}: ` +
          'it was removed by hand or by gc',
        { cause: err },
      );
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const exists = async (p: string) => (await fs.lstat(p).catch(() => undefined)) !== undefined;
