/**
 * After a run that pushed a model, say where it went and how to ask it for a prediction: the
 * `tsfx serve` line and a curl carrying the first warm-up request (raw eval rows the
 * InfraValidator sent and the model answered), so the command is one a user can paste.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MetadataStore } from '../metadata/store.js';
import { WARMUP_PATH } from '../serving/version-folder.js';
import type { PipelineRunResult } from '../orchestration/types.js';

interface Pushed {
  pushed?: boolean;
  servingModel?: string;
  destination?: string | null;
  version?: number | null;
  reason?: string | null;
}

/** The first warm-up body of a version, as one line of JSON; undefined without warm-ups. */
function firstWarmup(destination: string): string | undefined {
  try {
    const bodies = JSON.parse(fs.readFileSync(path.join(destination, WARMUP_PATH), 'utf8')) as unknown;
    return Array.isArray(bodies) && bodies.length ? JSON.stringify(bodies[0]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lines for every PushedModel the run produced (or reused from the cache). `defaultBase`: the
 * folder `tsfx serve` reads without --model-base ($TSFX_HOME/serving).
 */
export async function pushedLines(
  store: MetadataStore,
  result: PipelineRunResult,
  defaultBase: string,
): Promise<string[]> {
  const lines: string[] = [];
  for (const node of Object.values(result.nodes)) {
    for (const id of Object.values(node.outputs ?? {})) {
      const a = await store.getArtifact(id);
      if (a?.type !== 'PushedModel') continue;
      const p = a.properties as Pushed;
      if (!p.pushed || !p.destination || !p.servingModel) {
        lines.push(`  not pushed: ${p.reason ?? 'see tsfx show ' + a.id}`);
        continue;
      }
      const base = path.dirname(path.dirname(p.destination));
      lines.push(`  pushed    ${p.servingModel} version ${p.version} -> ${p.destination}`);
      lines.push(
        `  serve it  npx tsfx serve${path.resolve(base) === path.resolve(defaultBase) ? '' : ` --model-base ${base}`}`,
      );
      const body = firstWarmup(p.destination);
      if (body)
        lines.push(
          `  predict   curl -d '${body.replace(/'/g, "'\\''")}' http://127.0.0.1:8501/v1/models/${p.servingModel}:predict`,
        );
    }
  }
  return lines;
}
