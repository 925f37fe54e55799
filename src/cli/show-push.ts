/**
 * `tsfx show` for the last two steps of the loop: an InfraBlessing as its verdict, how it capped
 * the sandbox, and every try with each request's status and latency (report.json); a PushedModel
 * as whether, where and as which version it was pushed, with the provenance the version folder
 * carries. File names are spelled out so the CLI does not load the components.
 */
import fs from 'node:fs';
import path from 'node:path';
import { localPath } from '../artifacts/local-store.js';
import type { Artifact } from '../metadata/store.js';
import { PROVENANCE_FILE } from '../serving/version-folder.js';
import { table, toJson } from './format.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

interface InfraReport {
  blessed: boolean;
  mode: string;
  reason: string | null;
  memoryCap?: string;
  tries: {
    try: number;
    ok: boolean;
    loadMs?: number;
    error?: string;
    requests?: { index: number; rows: number; status: number | null; latencyMs: number; error?: string }[];
  }[];
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const ms = (n: number | undefined) => (n === undefined ? '' : `${n.toFixed(1)} ms`);

export function showInfraBlessing(a: Artifact, o: { json?: boolean }): void {
  const report = readJson<InfraReport>(path.join(localPath(a.uri), 'report.json'));
  if (o.json) return out(toJson({ properties: a.properties, report: report ?? null }));
  const p = a.properties as { blessed?: boolean; model?: number; reason?: string | null; mode?: string };
  out(
    `#${a.id} InfraBlessing ${a.name}: ${p.blessed ? 'INFRA_BLESSED' : 'INFRA_NOT_BLESSED'} Model #${p.model ?? '?'} (${p.mode ?? report?.mode ?? '-'})`,
  );
  if (p.reason) out(`reason: ${p.reason}`);
  if (!report) return out(`(no report.json in ${a.uri})`);
  if (report.memoryCap) out(`sandbox: ${report.memoryCap}`);
  for (const t of report.tries) {
    out(
      `\ntry ${t.try}: ${t.ok ? 'ok' : 'failed'}${t.loadMs !== undefined ? `, loaded in ${ms(t.loadMs)}` : ''}${t.error ? `: ${t.error}` : ''}`,
    );
    if (t.requests?.length)
      out(
        table(
          ['request', 'rows', 'status', 'latency', 'error'],
          t.requests.map((r) => [r.index, r.rows, r.status ?? '-', ms(r.latencyMs), r.error]),
        ),
      );
  }
}

export function showPushedModel(a: Artifact, o: { json?: boolean }): void {
  const p = a.properties as {
    pushed?: boolean;
    servingModel?: string;
    destination?: string | null;
    version?: number | null;
    reason?: string | null;
    forced?: boolean;
    model?: number;
  };
  const provenance = p.destination
    ? readJson<Record<string, unknown>>(path.join(p.destination, PROVENANCE_FILE))
    : undefined;
  if (o.json) return out(toJson({ properties: a.properties, provenance: provenance ?? null }));
  if (!p.pushed) {
    out(`#${a.id} PushedModel ${a.name}: not pushed (Model #${p.model ?? '?'})`);
    return out(`reason: ${p.reason ?? '-'}`);
  }
  out(
    `#${a.id} PushedModel ${a.name}: ${p.servingModel} version ${p.version}${p.forced ? ' (forced)' : ''} (Model #${p.model ?? '?'})`,
  );
  out(`destination: ${p.destination}${fs.existsSync(p.destination!) ? '' : ' (gone)'}`);
  if (p.reason) out(`reason: ${p.reason}`);
  if (provenance)
    out(
      table(
        ['provenance', ''],
        Object.entries(provenance).map(([k, v]) => [k, v === null ? '-' : String(v)]),
      ),
    );
  out(
    `\nserve it: tsfx serve --model-base ${path.dirname(path.dirname(p.destination!))}; history: tsfx models ${p.servingModel} --history`,
  );
}
