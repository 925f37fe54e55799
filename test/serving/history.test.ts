/**
 * The registry's history: torn lines (a crash in the middle of an append) are skipped and never
 * glue onto the next event, a broken chain of label moves is reported, and promotes racing from
 * several processes lose no move and keep labels.json and history.jsonl in step.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { appendHistory, historyPath, labelPeriods, readHistory, type LabelEvent } from '../../src/serving/history.js';
import { promote, readLabels, rollback } from '../../src/serving/labels.js';
import { modelFolder, tmp } from '../components/pusher/helpers.js';

describe('history.jsonl', () => {
  it('skips a torn last line and starts the next event on a line of its own', () => {
    const base = tmp('hist');
    appendHistory(base, 'm', { action: 'push', version: 1, forced: false, model: 5 });
    // what a crash in the middle of write(2) leaves: part of a line, no newline
    fs.appendFileSync(historyPath(base, 'm'), '{"at":"2026-01-01T00:00:00Z","who":"x","action":"pro');
    appendHistory(base, 'm', { action: 'promote', label: 'stable', from: null, to: 1, reason: 'go' });
    const { events, skipped } = readHistory(base, 'm');
    expect(skipped).toBe(1);
    expect(events.map((e) => e.action)).toEqual(['push', 'promote']);
    expect(events[1]).toMatchObject({ label: 'stable', to: 1, reason: 'go' });
    expect(fs.readFileSync(historyPath(base, 'm'), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('takes the actor from TSFX_USER', () => {
    const base = tmp('hist');
    const before = process.env.TSFX_USER;
    process.env.TSFX_USER = 'ci-bot for bob';
    try {
      expect(appendHistory(base, 'm', { action: 'push', version: 1, forced: false, model: 5 }).who).toBe('ci-bot for bob');
    } finally {
      if (before === undefined) delete process.env.TSFX_USER;
      else process.env.TSFX_USER = before;
    }
  });

  it('marks a label move the next one contradicts as not applied', () => {
    const ev = (from: number | null, to: number, at: string): LabelEvent => ({ action: 'promote', label: 'stable', from, to, at, who: 'a' });
    // 1 -> 2 was recorded, but labels.json never changed (a crash): the next move starts from 1
    const periods = labelPeriods([ev(null, 1, 't1'), ev(1, 2, 't2'), ev(1, 3, 't3')], { stable: 3 });
    expect(periods.map((p) => [p.version, p.until ?? 'now', Boolean(p.notApplied)])).toEqual([[1, 't2', false], [2, 't3', true], [3, 'now', false]]);
    // the last move recorded but labels.json still at the old version
    expect(labelPeriods([ev(null, 1, 't1'), ev(1, 2, 't2')], { stable: 1 }).at(-1)!.notApplied).toBe(true);
  });
});

describe('label moves', () => {
  let base: string;
  beforeAll(async () => {
    await ensureBackend();
    base = tmp('labels');
    for (const v of [1, 2, 3]) await modelFolder(path.join(base, 'm', String(v)), v, 0);
  });

  it('rollback skips an earlier version that is no longer servable', () => {
    const b = tmp('labels-skip');
    for (const v of [1, 2, 3]) fs.cpSync(path.join(base, 'm', String(v)), path.join(b, 'm', String(v)), { recursive: true });
    promote(b, 'm', 1);
    promote(b, 'm', 2);
    promote(b, 'm', 3);
    fs.rmSync(path.join(b, 'm', '2', 'weights.bin'));
    expect(rollback(b, 'm', { reason: 'v3 regressed' }).labels.stable).toBe(1);
    expect(readHistory(b, 'm').events.at(-1)).toMatchObject({ action: 'rollback', from: 3, to: 1, reason: 'v3 regressed' });
  });

  it('promotes racing from four processes lose no move', async () => {
    const runs = [0, 1, 2, 3].map((i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/promote-process.ts', base, 'm', 'stable', ...(i % 2 ? ['1', '2', '3'] : ['3', '2', '1'])], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<string>((resolve) => child.on('exit', (code) => resolve(`${code} ${err}`)));
    });
    for (const r of await Promise.all(runs)) expect(r).toBe('0 ');
    const { events } = readHistory(base, 'm');
    const moves = events.filter((e): e is LabelEvent => e.action !== 'push');
    // every move starts where the one before left the label: none was lost or overwritten
    for (let i = 1; i < moves.length; i++) expect(moves[i]!.from).toBe(moves[i - 1]!.to);
    const labels = readLabels(base, 'm');
    expect(labels.labels.stable).toBe(moves.at(-1)!.to);
    // the rollback stack holds every version the label left, in order
    expect(labels.history.stable).toEqual(moves.slice(1).map((m) => m.from));
    expect(labelPeriods(events, labels.labels).some((p) => p.notApplied)).toBe(false);
  }, 60_000);
});
