/**
 * Compile-time guarantees of the DSL (run by vitest's typecheck): a handle carries its artifact
 * type, so wiring the wrong output or passing a mistyped param is a type error, not a run failure.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ComponentNode, OutputHandle } from '../../src/dsl/component.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { Gen, SchemaFrom, Stats, Train } from './fixtures.js';

describe('typed wiring', () => {
  it('gives each output handle its literal artifact type', () => {
    const gen = Gen({ input: 'a.csv' });
    const stats = Stats({ examples: gen.outputs.examples });
    expectTypeOf(gen.outputs.examples).toEqualTypeOf<OutputHandle<'Examples'>>();
    expectTypeOf(stats.outputs.statistics).toEqualTypeOf<OutputHandle<'ExampleStatistics'>>();
    expectTypeOf(stats.outputs.statistics).not.toMatchTypeOf<OutputHandle<'Examples'>>();
    expectTypeOf(Train).parameter(0).toHaveProperty('schema').toEqualTypeOf<OutputHandle<'Schema'>>();
    // @ts-expect-error Stats has no output `schema`
    void stats.outputs.schema;
  });

  it('compiles the right wiring and rejects the wrong one', () => {
    definePipeline({ name: 'typed' }, (p) => {
      const gen = p.add(Gen({ input: 'data/*.csv' }));
      const stats = p.add(Stats({ examples: gen.outputs.examples }));
      expectTypeOf(stats).toMatchTypeOf<ComponentNode<any>>();
      const schema = p.add(SchemaFrom({ statistics: stats.outputs.statistics }));
      // an optional input accepts a handle of its type
      p.add(SchemaFrom({ statistics: stats.outputs.statistics, baseline: schema.outputs.schema }), { id: 'again' });
      p.add(Train({ examples: gen.outputs.examples, schema: schema.outputs.schema, epochs: 1 }));

      // @ts-expect-error ExampleStatistics where Examples is expected
      p.add(Stats({ examples: stats.outputs.statistics }));
      // @ts-expect-error Examples where Schema is expected
      p.add(Train({ examples: gen.outputs.examples, schema: gen.outputs.examples, epochs: 1 }));
      // @ts-expect-error the required statistics input is missing
      p.add(SchemaFrom({ baseline: schema.outputs.schema }));
      // @ts-expect-error an input name the component does not have
      p.add(Stats({ examples: gen.outputs.examples, schema: schema.outputs.schema }));
    });
  });

  it('types params from the zod schema', () => {
    Gen({ input: 'a.csv', split: { train: 1 }, header: true });
    // @ts-expect-error input must be a string
    Gen({ input: 42 });
    // @ts-expect-error input is required (it has no default)
    Gen({ header: false });
    const gen = Gen({ input: 'a.csv' });
    const stats = Stats({ examples: gen.outputs.examples });
    const schema = SchemaFrom({ statistics: stats.outputs.statistics });
    // @ts-expect-error epochs must be a number
    Train({ examples: gen.outputs.examples, schema: schema.outputs.schema, epochs: '3' });
    // @ts-expect-error nested params are typed too
    Train({ examples: gen.outputs.examples, schema: schema.outputs.schema, epochs: 3, hparams: { lr: 'fast' } });
    // @ts-expect-error a component without params takes no extra keys
    Stats({ examples: gen.outputs.examples, verbose: true });
  });

  it('types p.add options', () => {
    definePipeline({ name: 'typed' }, (p) => {
      const gen = p.add(Gen({ input: 'a.csv' }), { id: 'gen', queue: 'gpu', retry: { maximumAttempts: 1 } });
      expectTypeOf(gen.outputs.examples).toEqualTypeOf<OutputHandle<'Examples'>>();
      // @ts-expect-error only the cpu and gpu queues exist
      p.add(Gen({ input: 'b.csv' }), { id: 'gen2', queue: 'tpu' });
    });
  });
});
