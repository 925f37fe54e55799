/**
 * A forced push made by hand (`tsfx push --force`), recorded in metadata the way a Pusher node
 * records one: a Pusher execution of node `tsfx-push` in a run of its own
 * (`manual-push-<time>`), with the Model (and the blessing it overrode) as INPUTs and a
 * PushedModel as its OUTPUT, so lineage and `tsfx gc` see the served model like any other.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { artifactUri } from '../artifacts/local-store.js';
import { bindStore, loadConfig } from '../config.js';
import type { Artifact, MetadataStore } from '../metadata/store.js';
import type { PushedModelProperties } from '../../components/pusher/spec.js';

export const MANUAL_PUSH_NODE = 'tsfx-push';

export async function recordManualPush(
  store: MetadataStore,
  r: { pipeline: string; model: number; blessing?: number; props: PushedModelProperties; who: string },
): Promise<{ runId: string; pushedModel: Artifact }> {
  const { storeRoot } = bindStore(loadConfig(), store.storeId);
  const runId = `manual-push-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const exec = await store.createExecution({
    type: 'Pusher',
    pipeline: r.pipeline,
    runId,
    nodeId: MANUAL_PUSH_NODE,
    state: 'RUNNING',
    properties: { forced: true, reason: r.props.reason, who: r.who, command: 'tsfx push --force' },
    inputs: [{ name: 'model', artifactId: r.model }, ...(r.blessing !== undefined ? [{ name: 'blessing', artifactId: r.blessing }] : [])],
    outputs: [{ name: 'pushedModel', type: 'PushedModel', uriOf: (id) => artifactUri(storeRoot, r.pipeline, MANUAL_PUSH_NODE, 'pushedModel', id) }],
  });
  const [reserved] = await store.reservedOutputs(exec.id);
  const uri = reserved!.artifact.uri;
  await fs.mkdir(uri, { recursive: true });
  await fs.writeFile(path.join(uri, 'pushed.json'), JSON.stringify(r.props, null, 1) + '\n');
  const [pushedModel] = await store.publishExecution(exec.id, [{ name: 'pushedModel', type: 'PushedModel', uri, properties: r.props }]);
  await store.recordRunState({ pipeline: r.pipeline, runId, state: 'COMPLETE' });
  return { runId, pushedModel: pushedModel! };
}
