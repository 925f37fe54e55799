/**
 * `{base}/{model}/history.jsonl`: every push (forced or not) and every label move of a served
 * model, one JSON object a line, oldest first: who (TSFX_USER, else the OS user), when, why,
 * and from which version to which.
 *
 * Crash safety: a line is appended with one write(2) on an O_APPEND descriptor and fsync'd
 * before the command reports success, so a line is either whole or, after a crash in the middle
 * of the write, a torn tail without its newline. Readers skip a line that does not parse (and
 * count it); the next writer first ends such a tail with a newline, so a torn line never glues
 * onto the next event. Nothing is ever rewritten in place, so no crash loses an earlier event.
 * A label move is recorded before labels.json is renamed into place: a crash between the two
 * leaves an event whose `to` the next move's `from` contradicts, which `labelPeriods` reports
 * as not applied instead of hiding it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface EventBase {
  /** ISO time */
  at: string;
  who: string;
  reason?: string;
}
export interface PushEvent extends EventBase {
  action: 'push';
  version: number;
  forced: boolean;
  /** the Model artifact id */
  model: number;
  pipeline?: string;
  runId?: string;
  execution?: number;
}
export interface LabelEvent extends EventBase {
  action: 'promote' | 'rollback';
  label: string;
  from: number | null;
  to: number;
}
export type HistoryEvent = PushEvent | LabelEvent;

export const HISTORY_FILE = 'history.jsonl';
export const historyPath = (base: string, model: string) => path.join(base, model, HISTORY_FILE);

/** Who is acting: TSFX_USER (a CI job names its human), else the OS user. */
export function whoAmI(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSFX_USER) return env.TSFX_USER;
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** Append one event durably (see the file comment); `at` and `who` are filled when absent. */
export function appendHistory(
  base: string,
  model: string,
  event: Omit<PushEvent, 'at' | 'who'> & Partial<EventBase> | Omit<LabelEvent, 'at' | 'who'> & Partial<EventBase>,
): HistoryEvent {
  const full = { at: new Date().toISOString(), who: whoAmI(), ...event } as HistoryEvent;
  const file = historyPath(base, model);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a+');
  try {
    const size = fs.fstatSync(fd).size;
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    fs.writeSync(fd, `${lead}${JSON.stringify(full)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return full;
}

const isEvent = (v: unknown): v is HistoryEvent => {
  const e = v as Partial<HistoryEvent> | null;
  if (!e || typeof e !== 'object' || typeof e.at !== 'string') return false;
  if (e.action === 'push') return Number.isSafeInteger(e.version);
  return (e.action === 'promote' || e.action === 'rollback') && typeof e.label === 'string' && Number.isSafeInteger(e.to);
};

/** The events, oldest first, and how many lines were skipped (torn by a crash, or not events). */
export function readHistory(base: string, model: string): { events: HistoryEvent[]; skipped: number } {
  let text: string;
  try {
    text = fs.readFileSync(historyPath(base, model), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], skipped: 0 };
    throw err;
  }
  const events: HistoryEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isEvent(v)) events.push(v);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { events, skipped };
}

/** A stretch of time a label pointed at one version; `until` undefined: it still does. */
export interface LabelPeriod {
  label: string;
  version: number;
  since: string;
  until?: string;
  by: string;
  action: LabelEvent['action'];
  reason?: string;
  /** the next move started from another version: this one never took effect (crash) or labels.json was edited by hand */
  notApplied?: boolean;
}

/** Which version held which label when, from the label events in order. */
export function labelPeriods(events: HistoryEvent[], current: Record<string, number> = {}): LabelPeriod[] {
  const out: LabelPeriod[] = [];
  const open = new Map<string, LabelPeriod>();
  for (const e of events) {
    if (e.action === 'push') continue;
    const prev = open.get(e.label);
    if (prev) {
      prev.until = e.at;
      if (e.from !== prev.version) prev.notApplied = true;
    }
    const period: LabelPeriod = { label: e.label, version: e.to, since: e.at, by: e.who, action: e.action, ...(e.reason ? { reason: e.reason } : {}) };
    open.set(e.label, period);
    out.push(period);
  }
  for (const [label, p] of open) if (current[label] !== undefined && current[label] !== p.version) p.notApplied = true;
  return out;
}
