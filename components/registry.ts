/**
 * The components a worker can run, keyed by their TFX name: the built-in ones, and every one a
 * user's module registered with `registerComponent` (TFX's custom components). A pipeline node
 * names its component; the worker looks the implementation up here. A user's module registers
 * itself when it is imported: by the pipeline file that uses it (`tsfx run` imports it), or by
 * `tsfx worker --components <module>` on another machine.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyComponentSpec, ComponentImpl } from '../src/dsl/component.js';
import { DefinitionError } from '../src/errors.js';
import { evaluatorComponent } from './evaluator/index.js';
import { exampleGenComponent } from './example-gen/index.js';
import { exampleValidatorComponent } from './example-validator/index.js';
import { importSchemaGenComponent } from './import-schema-gen/index.js';
import { pusherComponent } from './pusher/index.js';
import { schemaGenComponent } from './schema-gen/index.js';
import { statisticsGenComponent } from './statistics-gen/index.js';
import { trainerComponent } from './trainer/index.js';
import { transformComponent } from './transform/index.js';
import { tunerComponent } from './tuner/index.js';

export const builtinComponents: ComponentImpl[] = [
  exampleGenComponent,
  statisticsGenComponent,
  schemaGenComponent,
  importSchemaGenComponent,
  exampleValidatorComponent,
  transformComponent,
  tunerComponent,
  trainerComponent,
  evaluatorComponent,
  pusherComponent,
];

const registered = new Map<string, ComponentImpl>(builtinComponents.map((c) => [c.spec.name, c]));

/**
 * Make a component's implementation known to workers in this process. Call it at the top level
 * of the module that defines the component, so importing the module registers it.
 * @example registerComponent({ spec: rowCountSpec, executor: rowCountExecutor });
 */
export function registerComponent<S extends AnyComponentSpec>(impl: ComponentImpl<S>): ComponentImpl<S> {
  const name = impl.spec.name;
  const known = registered.get(name);
  // the same module imported twice (two paths to one file) registers the same spec: fine
  if (known && known !== (impl as ComponentImpl) && known.spec !== impl.spec)
    throw new DefinitionError(`a component named '${name}' is registered already: component names must be unique`);
  if (impl.spec.fanOut && !impl.fanOut) throw new DefinitionError(`component '${name}': spec.fanOut is true but the implementation has no fanOut part`);
  registered.set(name, impl as ComponentImpl);
  return impl;
}

/** Every component registered in this process, built-in ones first. */
export function registeredComponents(): ComponentImpl[] {
  return [...registered.values()];
}

export function findComponent(name: string): ComponentImpl | undefined {
  return registered.get(name);
}

/**
 * Import user modules that register components (`tsfx worker --components`, TSFX_COMPONENTS),
 * registering what a module exports as `components` too; a module that fails to load is a
 * DefinitionError naming it.
 */
export async function loadComponentModules(files: string[], base = process.cwd()): Promise<void> {
  for (const file of files) {
    const abs = path.resolve(base, file);
    let mod: { components?: unknown };
    try {
      mod = (await import(pathToFileURL(abs).href)) as { components?: unknown };
    } catch (err) {
      throw new DefinitionError(`cannot load component module ${file}: ${(err as Error).message}`);
    }
    if (mod.components === undefined) continue;
    if (!Array.isArray(mod.components) || !mod.components.every((c) => typeof (c as ComponentImpl)?.spec?.name === 'string'))
      throw new DefinitionError(`${file} exports \`components\`, but not as an array of component implementations`);
    for (const c of mod.components as ComponentImpl[]) registerComponent(c);
  }
}
