/** `tsfx lineage`'s views of a tree in which a shared upstream artifact is reached twice. */
import { describe, expect, it } from 'vitest';
import { lineageGraph, renderLineage } from '../../src/cli/render-lineage.js';
import type { Artifact, Execution, LineageNode } from '../../src/metadata/store.js';

const at = new Date(Date.UTC(2026, 11, 1));
const art = (id: number, type: string, name: string): Artifact =>
  ({ id, type, name, uri: `/a/${id}`, state: 'LIVE', properties: {}, createTime: at }) as Artifact;
const exe = (id: number, type: string): Execution =>
  ({ id, type, pipeline: 'penguin', runId: 'r1', nodeId: type, state: 'COMPLETE', properties: {}, createTime: at, updateTime: at }) as unknown as Execution;

const examples = art(1, 'Examples', 'ExampleGen.examples');
const stats = art(2, 'ExampleStatistics', 'StatisticsGen.statistics');
const schema = art(3, 'Schema', 'SchemaGen.schema');
const anomalies = art(4, 'ExampleAnomalies', 'ExampleValidator.anomalies');
const [gen, statsGen, schemaGen, validator] = [exe(10, 'ExampleGen'), exe(11, 'StatisticsGen'), exe(12, 'SchemaGen'), exe(13, 'ExampleValidator')];

// the store's upstream tree of the anomalies: the statistics' subtree twice
const statsTree = (): LineageNode => ({
  artifact: stats,
  role: 'statistics',
  executions: [
    {
      execution: statsGen,
      eventName: 'statistics',
      artifacts: [{ artifact: examples, role: 'examples', executions: [{ execution: gen, eventName: 'examples', artifacts: [] }] }],
    },
  ],
});
const up: LineageNode = {
  artifact: anomalies,
  executions: [
    {
      execution: validator,
      eventName: 'anomalies',
      artifacts: [
        statsTree(),
        { artifact: schema, role: 'schema', executions: [{ execution: schemaGen, eventName: 'schema', artifacts: [statsTree()] }] },
      ],
    },
  ],
};
const down: LineageNode = { artifact: anomalies, executions: [] };

describe('lineage views', () => {
  it("prints a shared artifact's subtree once and refers back to it", () => {
    const text = renderLineage(up, down);
    expect(text.match(/execution #11 StatisticsGen/g)).toHaveLength(1);
    expect(text.match(/execution #10 ExampleGen/g)).toHaveLength(1);
    expect(text.split('\n')).toEqual([
      '#4 ExampleAnomalies ExampleValidator.anomalies',
      'upstream (made from):',
      '  <- execution #13 ExampleValidator penguin/r1 node ExampleValidator COMPLETE',
      '     ExampleStatistics #2 StatisticsGen.statistics (as statistics)',
      '        <- execution #11 StatisticsGen penguin/r1 node StatisticsGen COMPLETE',
      '           Examples #1 ExampleGen.examples (as examples)',
      '              <- execution #10 ExampleGen penguin/r1 node ExampleGen COMPLETE',
      '     Schema #3 SchemaGen.schema (as schema)',
      '        <- execution #12 SchemaGen penguin/r1 node SchemaGen COMPLETE',
      '           ExampleStatistics #2 StatisticsGen.statistics (as statistics) (see #2 above)',
      'downstream (used by):',
      '  (none)',
    ]);
  });

  it('gives --json a graph with each artifact and execution once and one edge per event', () => {
    const g = lineageGraph(up, down);
    expect(g.artifacts.map((a) => a.id)).toEqual([1, 2, 3, 4]);
    expect(g.executions.map((x) => x.id)).toEqual([10, 11, 12, 13]);
    expect(g.edges).toHaveLength(8);
    expect(g.edges).toContainEqual({ artifactId: 2, executionId: 12, kind: 'input', role: 'statistics' });
    expect(g.edges).toContainEqual({ artifactId: 2, executionId: 11, kind: 'output', role: 'statistics' });
    expect(g.edges).toContainEqual({ artifactId: 1, executionId: 10, kind: 'output', role: 'examples' });
  });
});
