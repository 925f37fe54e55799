/** The text form of `tsfx models` (and `--history`): one block per served model. */
import { labelPeriods } from '../serving/history.js';
import { table } from './format.js';
import type { ModelView } from './model-registry.js';

const id = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `#${n}`);
const time = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

export function renderModel(m: ModelView): string {
  const lines: string[] = [];
  const labels = Object.entries(m.labels).map(([l, v]) => `${l} -> ${v}`);
  lines.push(`${m.name}: ${m.versions.length} version${m.versions.length === 1 ? '' : 's'}${labels.length ? `; labels ${labels.join(', ')}` : ''}`);
  const withServer = m.versions.some((v) => v.server !== undefined);
  const headers = ['VERSION', 'STATE', ...(withServer ? ['SERVER'] : []), 'LABELS', 'PUSHED', 'BY', 'PIPELINE', 'RUN', 'MODEL', 'BLESSING', 'EVALUATION', 'FORCED'];
  const rows = m.versions.map((v) => {
    const l = v.lineage;
    return [
      v.version,
      v.valid ? 'valid' : `invalid: ${v.error}`,
      ...(withServer ? [v.serverError ? `${v.server}: ${v.serverError}` : v.server] : []),
      v.labels.join(',') || '-',
      time(l?.pushedAt),
      l?.pushedBy ?? '-',
      l?.pipeline ?? '-',
      l?.runId ?? '-',
      l ? `${id(l.model)}${l.modelState && l.modelState !== 'LIVE' ? ` (${l.modelState})` : ''}` : '-',
      id(l?.modelBlessing),
      id(l?.modelEvaluation),
      l?.forced ? `yes: ${l.reason}` : l ? 'no' : '-',
    ];
  });
  if (rows.length) lines.push(indent(table(headers, rows)));
  for (const p of m.problems) lines.push(`  ! ${p}`);
  if (m.history) lines.push(renderHistory(m));
  return lines.join('\n');
}

function renderHistory(m: ModelView): string {
  const events = m.history ?? [];
  const lines = [`  history (${events.length} event${events.length === 1 ? '' : 's'}${m.historySkipped ? `, ${m.historySkipped} unreadable line(s) skipped` : ''}):`];
  if (events.length) {
    const rows = events.map((e) =>
      e.action === 'push'
        ? [time(e.at), e.who, e.forced ? 'forced push' : 'push', '-', '-', e.version, `Model ${id(e.model)}${e.runId ? ` of run ${e.runId}` : ''}`, e.reason ?? '']
        : [time(e.at), e.who, e.action, e.label, e.from ?? '-', e.to, '', e.reason ?? ''],
    );
    lines.push(indent(table(['TIME', 'WHO', 'ACTION', 'LABEL', 'FROM', 'TO', 'WHAT', 'REASON'], rows), 4));
  }
  const periods = labelPeriods(events, m.labels);
  if (periods.length) {
    lines.push('  which version held which label:');
    const rows = periods.map((p) => [p.label, p.version, time(p.since), p.until ? time(p.until) : 'now', `${p.action} by ${p.by}`, p.notApplied ? 'not applied (the next move started elsewhere)' : '']);
    lines.push(indent(table(['LABEL', 'VERSION', 'FROM', 'UNTIL', 'HOW', 'NOTE'], rows), 4));
  }
  return lines.join('\n');
}

const indent = (text: string, n = 2) => text.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
