/**
 * definePipeline -> PipelineSpec, and validatePipelineSpec on hand-written specs: the compiled
 * shape, defaults and overrides, and a DefinitionError with the field path for each mistake.
 */
import { describe, expect, it } from 'vitest';
import { defaultRetry, defaultTimeouts } from '../../src/dsl/component.js';
import { definePipeline, PipelineSpec } from '../../src/dsl/pipeline.js';
import { topologicalOrder, validatePipelineSpec } from '../../src/dsl/validate.js';
import { DefinitionError } from '../../src/errors.js';
import { Gen, SchemaFrom, Stats, Train } from './fixtures.js';

const root = '/pipelines/demo';

/** The DefinitionError `fn` throws (fails the test if it throws anything else or nothing). */
function definitionError(fn: () => unknown): DefinitionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return err as DefinitionError;
  }
  throw new Error('expected a DefinitionError, nothing was thrown');
}

describe('definePipeline().compile', () => {
  it('compiles nodes in order with input refs, parsed params and the spec defaults', () => {
    const pipeline = definePipeline({ name: 'demo' }, (p) => {
      const gen = p.add(Gen({ input: 'data/*.csv' }));
      const stats = p.add(Stats({ examples: gen.outputs.examples }));
      const schema = p.add(SchemaFrom({ statistics: stats.outputs.statistics, minFraction: 0.5 }));
      p.add(Train({ examples: gen.outputs.examples, schema: schema.outputs.schema, epochs: 3 }));
    });
    expect(pipeline.name).toBe('demo');
    const spec = pipeline.compile({ root });
    expect(spec).toEqual({
      specVersion: 1,
      name: 'demo',
      root,
      nodes: [
        {
          id: 'Gen',
          component: 'Gen',
          componentVersion: '1',
          inputs: {},
          outputs: { examples: 'Examples' },
          // zod defaults are applied at compile time, so the spec (and the cache key) is complete
          params: { input: 'data/*.csv', split: { train: 2, eval: 1 } },
          queue: 'cpu',
          whenNoGpu: 'cpu',
          cache: true,
          fanOut: false,
          retry: defaultRetry,
          timeouts: defaultTimeouts,
        },
        {
          id: 'Stats',
          component: 'Stats',
          componentVersion: '3',
          inputs: { examples: [{ node: 'Gen', output: 'examples', type: 'Examples' }] },
          outputs: { statistics: 'ExampleStatistics' },
          params: {},
          queue: 'cpu',
          whenNoGpu: 'cpu',
          cache: true,
          fanOut: false,
          retry: defaultRetry,
          timeouts: defaultTimeouts,
        },
        {
          id: 'SchemaFrom',
          component: 'SchemaFrom',
          componentVersion: '1',
          // the optional baseline was not wired: no entry at all
          inputs: { statistics: [{ node: 'Stats', output: 'statistics', type: 'ExampleStatistics' }] },
          outputs: { schema: 'Schema' },
          params: { inferShape: true, minFraction: 0.5 },
          queue: 'cpu',
          whenNoGpu: 'cpu',
          cache: true,
          fanOut: false,
          retry: defaultRetry,
          timeouts: defaultTimeouts,
        },
        {
          id: 'Train',
          component: 'Train',
          componentVersion: '2',
          inputs: {
            examples: [{ node: 'Gen', output: 'examples', type: 'Examples' }],
            schema: [{ node: 'SchemaFrom', output: 'schema', type: 'Schema' }],
          },
          outputs: { model: 'Model', run: 'ModelRun' },
          params: { epochs: 3 },
          queue: 'gpu',
          whenNoGpu: 'cpu',
          cache: true,
          fanOut: false,
          retry: { ...defaultRetry, maximumAttempts: 5 },
          timeouts: { startToCloseMs: 600_000, heartbeatMs: 10_000 },
        },
      ],
    });
    // plain JSON that the schema accepts as is: it crosses Temporal unchanged
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(PipelineSpec.parse(spec)).toEqual(spec);
    expect(topologicalOrder(spec)).toEqual(['Gen', 'Stats', 'SchemaFrom', 'Train']);
  });

  it('applies per-node options from p.add over the component defaults', () => {
    const spec = definePipeline({ name: 'demo' }, (p) => {
      const a = p.add(Gen({ input: 'a.csv' }), { id: 'genA' });
      const b = p.add(Gen({ input: 'b.csv', split: { train: 1 } }), { id: 'genB', cache: false });
      p.add(Stats({ examples: a.outputs.examples }), { id: 'statsA', queue: 'gpu' });
      p.add(Stats({ examples: b.outputs.examples }), {
        id: 'statsB',
        retry: { maximumAttempts: 1 },
        timeouts: { heartbeatMs: 5_000, scheduleToStartMs: 60_000 },
      });
    }).compile({ root });
    const byId = Object.fromEntries(spec.nodes.map((n) => [n.id, n]));
    expect(Object.keys(byId)).toEqual(['genA', 'genB', 'statsA', 'statsB']);
    expect(byId.genA!.cache).toBe(true);
    expect(byId.genB!.cache).toBe(false);
    expect(byId.genB!.params).toEqual({ input: 'b.csv', split: { train: 1 } });
    expect(byId.statsA!.queue).toBe('gpu');
    expect(byId.statsA!.inputs.examples).toEqual([{ node: 'genA', output: 'examples', type: 'Examples' }]);
    expect(byId.statsB!.inputs.examples).toEqual([{ node: 'genB', output: 'examples', type: 'Examples' }]);
    // partial overrides merge field by field
    expect(byId.statsB!.retry).toEqual({ ...defaultRetry, maximumAttempts: 1 });
    expect(byId.statsB!.timeouts).toEqual({ ...defaultTimeouts, heartbeatMs: 5_000, scheduleToStartMs: 60_000 });
    expect(byId.statsB!.queue).toBe('cpu');
  });

  it('rejects two nodes with the same id, naming it', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        const gen = p.add(Gen({ input: 'a.csv' }));
        p.add(Stats({ examples: gen.outputs.examples }));
        p.add(Stats({ examples: gen.outputs.examples }));
      }).compile({ root }),
    );
    expect(err.path).toEqual(['nodes', 'Stats']);
    expect(err.message).toContain("duplicate node id 'Stats'");
  });

  it('rejects adding the same node object twice', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        const gen = p.add(Gen({ input: 'a.csv' }), { id: 'gen' });
        p.add(gen, { id: 'again' });
      }).compile({ root }),
    );
    expect(err.message).toContain("node 'gen' was added twice");
  });

  it('rejects an input wired to a node that was never added, naming node and input', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        const orphan = Gen({ input: 'a.csv' });
        p.add(Stats({ examples: orphan.outputs.examples }), { id: 'stats' });
      }).compile({ root }),
    );
    expect(err.path).toEqual(['nodes', 'stats', 'inputs', 'examples']);
    expect(err.message).toMatch(/nodes\.stats\.inputs\.examples: .*Gen node that was not added/);
  });

  it('rejects a missing required input with its path', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        p.add(Stats({} as any), { id: 'stats' });
      }).compile({ root }),
    );
    expect(err.path).toEqual(['nodes', 'stats', 'inputs', 'examples']);
    expect(err.message).toBe('nodes.stats.inputs.examples: missing required input (Examples)');
  });

  it('rejects a wrongly typed handle that got past the compiler', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        const gen = p.add(Gen({ input: 'a.csv' }));
        const stats = p.add(Stats({ examples: gen.outputs.examples }));
        p.add(Stats({ examples: stats.outputs.statistics as any }), { id: 'stats2' });
      }).compile({ root }),
    );
    expect(err.path).toEqual(['nodes', 'stats2', 'inputs', 'examples']);
    expect(err.message).toContain("expected Examples, got ExampleStatistics from 'Stats'");
  });

  it('rejects a handle passed where a param is expected', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        const gen = p.add(Gen({ input: 'a.csv' }));
        p.add(Stats({ examples: gen.outputs.examples, extra: gen.outputs.examples } as any));
      }).compile({ root }),
    );
    expect(err.path).toEqual(['nodes', 'Stats', 'inputs', 'extra']);
    expect(err.message).toContain("'extra' is not an input of Stats");
  });

  it('rejects bad params with the path of the field', () => {
    const empty = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => void p.add(Gen({ input: '' }), { id: 'gen' })).compile({ root }),
    );
    expect(empty.path).toEqual(['nodes', 'gen', 'params', 'input']);
    expect(empty.message).toMatch(/^nodes\.gen\.params\.input: /);

    const nested = definitionError(() =>
      definePipeline({ name: 'demo' }, (p) => {
        const gen = p.add(Gen({ input: 'a.csv' }));
        const stats = p.add(Stats({ examples: gen.outputs.examples }));
        const schema = p.add(SchemaFrom({ statistics: stats.outputs.statistics }));
        p.add(Train({ examples: gen.outputs.examples, schema: schema.outputs.schema, epochs: 2, hparams: { lr: -1 } }));
      }).compile({ root }),
    );
    expect(nested.path).toEqual(['nodes', 'Train', 'params', 'hparams', 'lr']);

    const wrongType = definitionError(() =>
      definePipeline(
        { name: 'demo' },
        (p) => void p.add(Gen({ input: 'a.csv', split: { train: 'two' } } as any)),
      ).compile({ root }),
    );
    expect(wrongType.path).toEqual(['nodes', 'Gen', 'params', 'split', 'train']);
    expect(wrongType.retryable).toBe(false);
  });

  it('rejects a pipeline name the spec does not allow', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'my pipeline' }, (p) => void p.add(Gen({ input: 'a.csv' }))).compile({ root }),
    );
    expect(err.path).toEqual(['name']);
  });
});

/** A valid two-node spec to break in the tests below. */
function handWritten(): PipelineSpec {
  const node = (id: string, inputs: PipelineSpec['nodes'][number]['inputs'], outputs: Record<string, 'Examples'>) => ({
    id,
    component: 'Gen',
    componentVersion: '1',
    inputs,
    outputs,
    params: {},
    queue: 'cpu' as const,
    whenNoGpu: 'cpu' as const,
    cache: true,
    fanOut: false,
    retry: defaultRetry,
    timeouts: defaultTimeouts,
  });
  return {
    specVersion: 1,
    name: 'hand',
    root,
    nodes: [
      node('a', {}, { out: 'Examples' }),
      node('b', { in: [{ node: 'a', output: 'out', type: 'Examples' }] }, { out: 'Examples' }),
    ],
  };
}

describe('validatePipelineSpec', () => {
  it('accepts a valid hand-written spec', () => {
    expect(validatePipelineSpec(handWritten())).toEqual(handWritten());
  });

  it('names the cycle in a spec whose nodes feed each other', () => {
    const spec = handWritten();
    spec.nodes[0]!.inputs = { in: [{ node: 'b', output: 'out', type: 'Examples' }] };
    const err = definitionError(() => validatePipelineSpec(spec));
    expect(err.message).toContain('cycle between nodes: a -> b -> a');
    expect(err.path.slice(0, 2)).toEqual(['nodes', 'a']);
  });

  it('names a node that feeds itself', () => {
    const spec = handWritten();
    spec.nodes[1]!.inputs.self = [{ node: 'b', output: 'out', type: 'Examples' }];
    expect(definitionError(() => validatePipelineSpec(spec)).message).toContain('cycle between nodes: b -> b');
  });

  it('rejects a ref to an output the upstream node does not have', () => {
    const spec = handWritten();
    spec.nodes[1]!.inputs.in = [{ node: 'a', output: 'statistics', type: 'Examples' }];
    const err = definitionError(() => validatePipelineSpec(spec));
    expect(err.path).toEqual(['nodes', 'b', 'inputs', 'in']);
    expect(err.message).toContain("node 'a' has no output 'statistics'");
  });

  it('rejects a ref to a node that is not in the pipeline', () => {
    const spec = handWritten();
    spec.nodes[1]!.inputs.in = [{ node: 'ghost', output: 'out', type: 'Examples' }];
    const err = definitionError(() => validatePipelineSpec(spec));
    expect(err.path).toEqual(['nodes', 'b', 'inputs', 'in']);
    expect(err.message).toContain("refers to node 'ghost'");
  });

  it('rejects a ref whose declared type differs from the upstream output', () => {
    const spec = handWritten();
    spec.nodes[1]!.inputs.in = [{ node: 'a', output: 'out', type: 'Schema' }];
    const err = definitionError(() => validatePipelineSpec(spec));
    expect(err.message).toContain("expected Schema, 'a.out' is Examples");
  });

  it('reports schema errors by node id rather than array index', () => {
    const spec = handWritten() as any;
    spec.nodes[1].queue = 'tpu';
    const err = definitionError(() => validatePipelineSpec(spec));
    expect(err.path).toEqual(['nodes', 'b', 'queue']);

    const noNodes = definitionError(() => validatePipelineSpec({ ...handWritten(), nodes: [] }));
    expect(noNodes.path).toEqual(['nodes']);
    const badType = handWritten() as any;
    badType.nodes[0].outputs.out = 'Tensor';
    expect(definitionError(() => validatePipelineSpec(badType)).path).toEqual(['nodes', 'a', 'outputs', 'out']);
  });
});

describe('conditional nodes (when)', () => {
  it('compiles a condition on an upstream output, and the node then waits for that node', () => {
    const spec = definePipeline({ name: 'cond' }, (p) => {
      const gen = p.add(Gen({ input: 'x.csv' }));
      const stats = p.add(Stats({ examples: gen.outputs.examples }));
      p.add(SchemaFrom({ statistics: stats.outputs.statistics }), { when: { output: gen.outputs.examples, property: 'span', equals: 3 } });
    }).compile({ root });
    expect(spec.nodes[2]!.when).toEqual({ node: 'Gen', output: 'examples', property: 'span', equals: 3 });
    expect(topologicalOrder(spec)).toEqual(['Gen', 'Stats', 'SchemaFrom']);
    // JSON round trip: the value crosses Temporal
    expect(validatePipelineSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('rejects a condition on a node that was not added, or on a missing node or output in a hand-written spec', () => {
    const err = definitionError(() =>
      definePipeline({ name: 'cond' }, (p) => {
        const stray = Gen({ input: 'y.csv' });
        p.add(Gen({ input: 'x.csv' }), { id: 'g', when: { output: stray.outputs.examples, property: 'span', equals: 1 } });
      }).compile({ root }),
    );
    expect(err.path).toEqual(['nodes', 'g', 'when', 'output']);

    const ghost = handWritten();
    ghost.nodes[1]!.when = { node: 'ghost', output: 'out', property: 'p', equals: true };
    expect(definitionError(() => validatePipelineSpec(ghost)).message).toContain("refers to node 'ghost'");
    const noOutput = handWritten();
    noOutput.nodes[1]!.when = { node: 'a', output: 'nope', property: 'p', equals: true };
    expect(definitionError(() => validatePipelineSpec(noOutput)).path).toEqual(['nodes', 'b', 'when']);
  });

  it('counts a condition as a dependency when looking for cycles', () => {
    const spec = handWritten();
    spec.nodes[0]!.when = { node: 'b', output: 'out', property: 'p', equals: 1 };
    expect(definitionError(() => validatePipelineSpec(spec)).message).toContain('cycle between nodes: a -> b -> a');
  });
});
