/**
 * What the activities are built from, and the component lookup they share. Kept apart from
 * activities.ts so the runComponent adapter can use it without an import cycle.
 */
import type { ComponentImpl } from '../dsl/component.js';
import { DefinitionError, StoreMismatchError } from '../errors.js';
import type { MetadataStore } from '../metadata/store.js';

export interface ActivityDeps {
  store: MetadataStore;
  /** `<artifactRoot>/<storeId>`: this store's artifact folders */
  storeRoot: string;
  components: ReadonlyMap<string, ComponentImpl>;
  /**
   * Whether a worker polled this store's gpu queue lately (Temporal's task-queue pollers); a gpu
   * node runs on cpu without one. Absent: assume one does.
   */
  gpuPolled?: () => Promise<boolean>;
  /** Temporal ids of the calling workflow, recorded on executions */
  workflowIds?: () => { workflowId?: string; workflowRunId?: string };
}

export function lookupComponent(components: ReadonlyMap<string, ComponentImpl>, name: string): ComponentImpl {
  const impl = components.get(name);
  // not retryable: every attempt would land on workers built the same way
  if (!impl)
    throw new DefinitionError(
      `no component '${name}' is registered on this worker (known: ${[...components.keys()].join(', ')}); ` +
        'register it with registerComponent() in a module the pipeline file imports, or start `tsfx worker --components <module>`',
    );
  return impl;
}

/**
 * Every activity serves one metadata store. Work of another store's run (its worker shares a
 * task queue with ours through an explicit TSFX_QUEUE_PREFIX) would look up ids that mean other
 * things here, so it is refused at once: non-retryable, naming both stores.
 */
export function assertSameStore(deps: ActivityDeps, input: { storeId: string }): void {
  if (input.storeId === deps.store.storeId) return;
  throw new StoreMismatchError(input.storeId, deps.store.storeId);
}
