/**
 * ExampleAnomalies for the terminal: per split, one row per anomalous feature (TFDV's short
 * description, then each reason's long one), and the drift / skew measurements taken, whether
 * or not they crossed their thresholds (so "close to the line" is visible too).
 */
import { measure, table } from './format.js';

/** The JSON view ExampleValidator writes beside each split's SchemaDiff.pb. */
export interface AnomaliesView {
  dataMissing?: boolean;
  datasetAnomalyInfo?: AnomalyInfoView;
  anomalyInfo?: Record<string, AnomalyInfoView>;
  driftSkewInfo?: {
    path?: { step?: string[] };
    driftMeasurements?: MeasurementView[];
    skewMeasurements?: MeasurementView[];
  }[];
}
interface AnomalyInfoView {
  shortDescription?: string;
  description?: string;
  reason?: { type?: string; shortDescription?: string; description?: string }[];
}
interface MeasurementView {
  type?: string;
  value?: number;
  threshold?: number;
}


export function renderAnomalies(view: AnomaliesView, split: string): string {
  const lines: string[] = [];
  const features = Object.entries(view.anomalyInfo ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const dataset = view.datasetAnomalyInfo?.reason ?? [];
  const count = features.length + (dataset.length ? 1 : 0);
  if (view.dataMissing) lines.push(`split ${split}: no examples (data missing); nothing else was checked`);
  else lines.push(`split ${split}: ${count === 0 ? 'no anomalies' : `${count} anomal${count === 1 ? 'y' : 'ies'}`}`);
  const rows: string[][] = [];
  for (const r of dataset) rows.push(['(dataset)', r.type ?? '', r.description ?? r.shortDescription ?? '']);
  for (const [name, info] of features)
    for (const r of info.reason ?? []) rows.push([name, r.type ?? '', r.description ?? r.shortDescription ?? '']);
  if (rows.length) lines.push(table(['FEATURE', 'ANOMALY', 'DESCRIPTION'], rows));

  const measured = (view.driftSkewInfo ?? []).flatMap((d) => {
    const name = (d.path?.step ?? []).join('.');
    const mk = (kind: string) => (m: MeasurementView) => [
      name,
      kind,
      m.type ?? '',
      measure(m.value),
      measure(m.threshold),
      (m.value ?? 0) > (m.threshold ?? Infinity) ? 'HIGH' : 'ok',
    ];
    return [...(d.driftMeasurements ?? []).map(mk('drift')), ...(d.skewMeasurements ?? []).map(mk('skew'))];
  });
  if (measured.length) {
    lines.push('drift and skew measurements');
    lines.push(table(['FEATURE', 'KIND', 'MEASURE', 'VALUE', 'THRESHOLD', 'RESULT'], measured));
  }
  return lines.join('\n');
}
