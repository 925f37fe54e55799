/**
 * The user's own component modules for the workers the CLI starts (`tsfx run`, `tsfx worker`,
 * `tsfx resume` and the worker processes they spawn, which inherit the environment): the
 * modules in TSFX_COMPONENTS (comma-separated) plus any given on the command line. Importing a
 * module registers its components (registerComponent, components/registry.ts); a module may
 * also export `components`, an array of implementations, which are registered for it.
 */
import { loadComponentModules } from '../../components/registry.js';

export async function loadUserComponents(more: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const fromEnv = (env.TSFX_COMPONENTS ?? '').split(',');
  await loadComponentModules([...fromEnv, ...more].map((m) => m.trim()).filter(Boolean));
}
