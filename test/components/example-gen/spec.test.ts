import { describe, expect, it } from 'vitest';
import { definePipeline } from '../../../src/dsl/pipeline.js';
import { DefinitionError } from '../../../src/errors.js';
import { ExampleGen, exampleGenComponent, exampleGenSpec } from '../../../components/example-gen/index.js';

function compileWith(params: Record<string, unknown>) {
  return definePipeline({ name: 'p' }, (p) => {
    p.add(ExampleGen(params as never));
  }).compile({ root: '/tmp' });
}

function definitionError(params: Record<string, unknown>): DefinitionError {
  try {
    compileWith(params);
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return err as DefinitionError;
  }
  throw new Error('expected a DefinitionError');
}

describe('ExampleGen spec', () => {
  it('compiles into a node with defaults filled in', () => {
    const spec = compileWith({ input: 'data/*.csv', split: { train: 4, eval: 1 } });
    const node = spec.nodes[0]!;
    expect(node).toMatchObject({
      id: 'ExampleGen',
      component: 'ExampleGen',
      componentVersion: '1',
      inputs: {},
      outputs: { examples: 'Examples' },
      queue: 'cpu',
    });
    expect(node.params).toEqual({ input: 'data/*.csv', split: { train: 4, eval: 1 }, format: 'auto', rowsPerShard: 100_000 });
    expect(exampleGenComponent.spec).toBe(exampleGenSpec);
    expect(exampleGenComponent.driver).toBeTypeOf('function');
  });

  it('names the field of each invalid param', () => {
    expect(definitionError({}).path).toEqual(['nodes', 'ExampleGen', 'params', 'input']);
    expect(definitionError({ input: 'a', splits: { train: 'b' } }).path).toEqual(['nodes', 'ExampleGen', 'params', 'splits']);
    expect(definitionError({ splits: { train: 'a' }, split: { train: 1 } }).path).toEqual(['nodes', 'ExampleGen', 'params', 'split']);
    expect(definitionError({ splits: { train: 'a' }, splitBy: ['x'] }).path).toEqual(['nodes', 'ExampleGen', 'params', 'splitBy']);
    expect(definitionError({ input: 'a', split: { train: 0 } }).path).toEqual(['nodes', 'ExampleGen', 'params', 'split', 'train']);
    expect(definitionError({ input: 'a', split: {} }).path).toEqual(['nodes', 'ExampleGen', 'params', 'split']);
    expect(definitionError({ input: 'a', rowsPerShard: 0 }).path).toEqual(['nodes', 'ExampleGen', 'params', 'rowsPerShard']);
    expect(definitionError({ input: 'a', format: 'orc' }).path).toEqual(['nodes', 'ExampleGen', 'params', 'format']);
    expect(definitionError({ input: 'a', columnTypes: { x: 'string' } }).path).toEqual(['nodes', 'ExampleGen', 'params', 'columnTypes', 'x']);
    const badName = definitionError({ input: 'a', split: { 'tr ain': 1 } });
    expect(badName.path).toEqual(['nodes', 'ExampleGen', 'params', 'split', 'tr ain']);
    expect(badName.message).toMatch(/split name 'tr ain': use letters, digits, _ and -/);
  });
});
