/**
 * TSFX_COMPONENTS: modules of the user's own components for the workers the CLI starts
 * (`tsfx run`, `tsfx worker`, `tsfx resume` and the worker processes they spawn, which inherit
 * the environment). Each module exports `components` (or a default export): an array of
 * ComponentImpl, as the built-in registry holds.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ComponentImpl } from '../dsl/component.js';
import { DefinitionError } from '../errors.js';

export async function extraComponents(env: NodeJS.ProcessEnv = process.env): Promise<ComponentImpl[]> {
  const modules = (env.TSFX_COMPONENTS ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const found: ComponentImpl[] = [];
  for (const m of modules) {
    const mod = (await import(pathToFileURL(path.resolve(m)).href)) as { components?: unknown; default?: unknown };
    const list = mod.components ?? mod.default;
    if (!Array.isArray(list) || !list.every((c) => typeof (c as ComponentImpl)?.spec?.name === 'string'))
      throw new DefinitionError(`${m} must export \`components\`: an array of component implementations`, ['TSFX_COMPONENTS']);
    found.push(...(list as ComponentImpl[]));
  }
  return found;
}
