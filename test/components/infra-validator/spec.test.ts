/**
 * InfraValidator's params: TFX's defaults where TFX has one, bad values refused naming the
 * field, and the node factory typed (a wrong wiring does not compile).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { InfraValidator, InfraValidatorParams } from '../../../components/infra-validator/index.js';
import { findComponent } from '../../../components/registry.js';
import { ExampleGen } from '../../../components/example-gen/index.js';

describe('InfraValidator spec', () => {
  it('defaults as TFX: 5 tries, 300 s to load, model name infra-validation-model, eval split', () => {
    expect(InfraValidatorParams.parse({})).toMatchObject({
      numTries: 5,
      maxLoadingTimeMs: 300_000,
      servingModelName: 'infra-validation-model',
      split: 'eval',
      makeWarmup: true,
    });
  });

  it('refuses a model name that could leave the model base, and unknown params, naming the field', () => {
    const bad = InfraValidatorParams.safeParse({ servingModelName: '../x' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['servingModelName']);
    const unknown = InfraValidatorParams.safeParse({ num_tries: 3 });
    expect(unknown.success).toBe(false);
    expect(InfraValidatorParams.safeParse({ memoryLimitMb: 16 }).success).toBe(false);
  });

  it('is registered for workers, and its factory takes a Model, not Examples, as `model`', () => {
    expect(findComponent('InfraValidator')?.spec.name).toBe('InfraValidator');
    const gen = ExampleGen({ input: 'data/*.csv' } as never);
    type Args = Parameters<typeof InfraValidator>[0];
    expectTypeOf<Args['model']['artifactType']>().toEqualTypeOf<'Model'>();
    // @ts-expect-error an Examples handle is not a Model
    InfraValidator({ model: gen.outputs.examples });
    expect(
      InfraValidator({ model: { artifactType: 'Model' } as never, numRequests: 3 }).outputs.blessing.artifactType,
    ).toBe('InfraBlessing');
  });
});
