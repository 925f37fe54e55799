/**
 * Unknown params are refused wherever params enter (the DSL, `--param`, the worker), at any
 * depth, naming the key: zod would otherwise drop them silently and run with the defaults.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExampleGen } from '../../components/example-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { applyParams } from '../../src/cli/load-pipeline.js';
import { checkParams, checkUncached } from '../../src/cli/run.js';
import { parseParams } from '../../src/dsl/params.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { DefinitionError } from '../../src/errors.js';

const schema = z.object({
  rowsPerShard: z.number().default(10),
  split: z.record(z.string(), z.number()).optional(),
  skew: z.object({ trainingSplit: z.string(), servingSplit: z.string() }).optional(),
  list: z.array(z.object({ name: z.string() })).default([]),
});

const refused = (raw: unknown) => {
  try {
    parseParams(schema, raw, ['nodes', 'n', 'params']);
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('parseParams', () => {
  it('refuses a misspelled key, suggesting the known one', () => {
    expect(refused({ rowsPerShrd: 100 })).toBe(
      "nodes.n.params.rowsPerShrd: unknown param 'rowsPerShrd' (did you mean 'rowsPerShard'?); known here: list, rowsPerShard",
    );
  });
  it('refuses unknown keys in nested objects and in arrays of objects, by their path', () => {
    expect(refused({ skew: { trainingSplit: 'a', servingSplit: 'b', servinSplit: 'c' } })).toMatch(
      /^nodes\.n\.params\.skew\.servinSplit: unknown param 'servinSplit' \(did you mean 'servingSplit'\?\)/,
    );
    expect(refused({ list: [{ name: 'x' }, { name: 'y', nmae: 'z' }] })).toMatch(/^nodes\.n\.params\.list\.1\.nmae: unknown param/);
  });
  it('keeps record keys and defaults, and passes undefined values', () => {
    expect(parseParams(schema, { split: { train: 2, eval: 1 }, skew: undefined }, [])).toEqual({
      rowsPerShard: 10,
      split: { train: 2, eval: 1 },
      list: [],
    });
  });
});

describe('params of a pipeline', () => {
  const pipeline = definePipeline({ name: 'p' }, (p) => {
    const gen = p.add(ExampleGen({ input: 'data/*.csv', split: { train: 2, eval: 1 } }));
    p.add(StatisticsGen({ examples: gen.outputs.examples }));
  });
  const spec = pipeline.compile({ root: '/tmp' });

  it('a misspelled param in the definition fails at compile time', () => {
    const bad = definePipeline({ name: 'p' }, (p) => void p.add(ExampleGen({ input: 'x.csv', rowsPerShrd: 100 } as never)));
    expect(() => bad.compile({ root: '/tmp' })).toThrow(/nodes\.ExampleGen\.params\.rowsPerShrd: unknown param 'rowsPerShrd' \(did you mean 'rowsPerShard'\?\)/);
  });
  it('--param with an unknown key is refused, naming it', () => {
    expect(() => checkParams(applyParams(spec, ['StatisticsGen.numTopValue=3']))).toThrow(
      /nodes\.StatisticsGen\.params\.numTopValue: unknown param 'numTopValue' \(did you mean 'numTopValues'\?\)/,
    );
  });
  it('a dotted --param sets a nested param, and leaves the compiled spec alone', () => {
    const changed = applyParams(spec, ['ExampleGen.split.train=5']);
    checkParams(changed);
    expect(changed.nodes[0]!.params.split).toEqual({ train: 5, eval: 1 });
    expect(spec.nodes[0]!.params.split).toEqual({ train: 2, eval: 1 });
    expect(() => applyParams(spec, ['ExampleGen.input.x=1'])).toThrow(/'input' is "data\/\*\.csv", not an object/);
    expect(() => applyParams(spec, ['ExampleGen.__proto__.x=1'])).toThrow(/'__proto__' is not a param name/);
  });
  it('--uncached must name a node', () => {
    expect(() => checkUncached(spec, ['StatisticsGen'])).not.toThrow();
    expect(() => checkUncached(spec, ['StatsGen'])).toThrow("--uncached 'StatsGen': no such node (nodes: ExampleGen, StatisticsGen)");
  });
});
