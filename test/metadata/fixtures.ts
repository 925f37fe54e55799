/**
 * Building blocks for the store suite: executions in a penguin-like pipeline.
 */
import type { LineageNode, MetadataStore, NewExecution } from '../../src/metadata/store.js';

/** a few ms, so rows made next get a later timestamp (ordering tests) */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

export const newExec = (nodeId: string, over: Partial<NewExecution> = {}): NewExecution => ({
  type: nodeId.replace(/-\w+$/, ''),
  pipeline: 'penguin',
  runId: 'r1',
  nodeId,
  state: 'RUNNING',
  inputs: [],
  ...over,
});

/** shape of a lineage tree: artifact name, then executions with their artifacts */
export const shape = (n: LineageNode): unknown => [
  n.artifact.name,
  n.executions.map((e) => [`${e.execution.nodeId}:${e.eventName}`, e.artifacts.map(shape)]),
];

/** ExampleGen -> StatisticsGen -> SchemaGen -> ExampleValidator(statistics, schema) in one run */
export async function chain(store: MetadataStore, runId = 'r1') {
  const gen = await store.createExecution(newExec('ExampleGen', { runId }));
  const [examples] = await store.publishExecution(gen.id, [
    { name: 'examples', type: 'Examples', uri: `/a/${runId}/examples`, properties: { splitNames: ['train'] } },
  ]);
  const stats = await store.createExecution(
    newExec('StatisticsGen', { runId, inputs: [{ name: 'examples', artifactId: examples.id }] }),
  );
  const [statistics] = await store.publishExecution(stats.id, [
    {
      name: 'statistics',
      type: 'ExampleStatistics',
      uri: `/a/${runId}/stats`,
      properties: { splitNames: ['train'] },
    },
  ]);
  const sg = await store.createExecution(
    newExec('SchemaGen', { runId, inputs: [{ name: 'statistics', artifactId: statistics.id }] }),
  );
  const [schema] = await store.publishExecution(sg.id, [
    { name: 'schema', type: 'Schema', uri: `/a/${runId}/schema`, properties: {} },
  ]);
  const ev = await store.createExecution(
    newExec('ExampleValidator', {
      runId,
      inputs: [
        { name: 'statistics', artifactId: statistics.id },
        { name: 'schema', artifactId: schema.id },
      ],
    }),
  );
  const [anomalies] = await store.publishExecution(ev.id, [
    {
      name: 'anomalies',
      type: 'ExampleAnomalies',
      uri: `/a/${runId}/anomalies`,
      properties: { splitNames: ['train'] },
    },
  ]);
  return { gen, stats, sg, ev, examples, statistics, schema, anomalies };
}
