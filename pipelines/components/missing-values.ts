/**
 * A custom component, written as a user writes one in their own project: MissingValues counts,
 * per split and feature, the examples where the feature has no value, and writes them as
 * `missing.json`. Importing this module registers the implementation, so the `tsfx run` that
 * loads a pipeline using it can run it; a `tsfx worker` elsewhere is started with
 * `--components pipelines/components/missing-values.ts`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, defineComponent, registerComponent, splitUri, type ComponentImpl } from 'tsfx';

export const missingValuesSpec = {
  name: 'MissingValues',
  version: '1',
  queue: 'cpu' as const,
  retry: defaultRetry,
  timeouts: defaultTimeouts,
  inputs: { examples: { type: 'Examples' as const } },
  outputs: { report: 'ExternalArtifact' as const },
  params: z.object({
    /** report only features missing in at least this share of a split's examples */
    minShare: z.number().min(0).max(1).default(0),
  }),
};

/** @example const missing = p.add(MissingValues({ examples: gen.outputs.examples, minShare: 0.01 })); */
export const MissingValues = defineComponent(missingValuesSpec);

const impl: ComponentImpl<typeof missingValuesSpec> = {
  spec: missingValuesSpec,
  async executor({ inputs, outputs, params, ctx }) {
    const examples = inputs.examples[0]!;
    const props = examples.properties;
    const report: Record<string, Record<string, number>> = {};
    for (const split of props.splitNames) {
      const counts: Record<string, number> = {};
      for (const shard of props.shards[split] ?? []) {
        const table = tableFromIPC(await fs.readFile(path.join(splitUri(examples.path, props, split), shard)));
        for (const field of table.schema.fields) counts[field.name] = (counts[field.name] ?? 0) + table.getChild(field.name)!.nullCount;
        ctx.heartbeat({ message: `${split}: ${shard}` });
      }
      const rows = props.rowCounts[split] ?? 0;
      report[split] = Object.fromEntries(Object.entries(counts).filter(([, n]) => rows > 0 && n / rows >= params.minShare && n > 0));
    }
    await fs.writeFile(path.join(outputs.report.path, 'missing.json'), `${JSON.stringify(report, null, 2)}\n`);
    return { report: { missing: report } };
  },
};

registerComponent(impl);
