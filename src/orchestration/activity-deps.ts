/**
 * What the activities are built from, and the component lookup they share. Kept apart from
 * activities.ts so the runComponent adapter can use it without an import cycle.
 */
import type { ComponentImpl } from '../dsl/component.js';
import { MetadataError } from '../errors.js';
import type { MetadataStore } from '../metadata/store.js';

export interface ActivityDeps {
  store: MetadataStore;
  artifactRoot: string;
  components: ReadonlyMap<string, ComponentImpl>;
  /** Temporal ids of the calling workflow, recorded on executions */
  workflowIds?: () => { workflowId?: string; workflowRunId?: string };
}

export function lookupComponent(components: ReadonlyMap<string, ComponentImpl>, name: string): ComponentImpl {
  const impl = components.get(name);
  if (!impl)
    throw new MetadataError(
      `no component '${name}' is registered on this worker (known: ${[...components.keys()].join(', ')})`,
    );
  return impl;
}
