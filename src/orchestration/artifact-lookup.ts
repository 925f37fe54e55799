/**
 * What a driver may ask of the metadata store (src/dsl/component.ts ArtifactLookup), bound to
 * one pipeline and node. Drivers run inside prepareNode, so this is the only way a component
 * reads metadata: past artifacts of its own pipeline, and outside files it imports.
 */
import path from 'node:path';
import type { ArtifactTypeName } from '../../schemas/artifacts.js';
import { localPath } from '../artifacts/local-store.js';
import type { ArtifactLookup, FoundArtifact } from '../dsl/component.js';
import { MetadataError } from '../errors.js';
import type { Artifact, MetadataStore } from '../metadata/store.js';

export function foundArtifact<T extends ArtifactTypeName>(a: Artifact): FoundArtifact<T> {
  return { id: a.id, type: a.type as T, uri: a.uri, path: localPath(a.uri), name: a.name, properties: a.properties as never };
}

/** The wired inputs of a node, loaded for its driver. */
export async function loadInputs(store: MetadataStore, nodeId: string, ids: Record<string, number[]>) {
  const out: Record<string, FoundArtifact[]> = {};
  for (const [name, list] of Object.entries(ids)) {
    out[name] = await Promise.all(
      list.map(async (id) => {
        const a = await store.getArtifact(id);
        if (!a) throw new MetadataError(`input artifact ${id} of ${nodeId}.${name} not found`);
        return foundArtifact(a);
      }),
    );
  }
  return out;
}

export function artifactLookup(
  store: MetadataStore,
  at: { pipeline: string; runId: string; nodeId: string; workflowId?: string; workflowRunId?: string },
): ArtifactLookup {
  return {
    async list({ type, producer, limit }) {
      // the producer filter is on the artifact name, so page past other nodes' artifacts
      const all = await store.listArtifacts({ type, pipeline: at.pipeline });
      const live = all.filter((a) => a.state === 'LIVE' && (producer === undefined || a.name.startsWith(`${producer}.`)));
      return live.slice(0, limit ?? live.length).map((a) => foundArtifact(a));
    },

    async importFile(file, properties) {
      const abs = path.resolve(file);
      // URIs are absolute paths, like every local artifact's
      const uri = abs;
      const where = { ...properties, source: abs };
      const known = await store.latestArtifact({ type: 'ExternalArtifact', pipeline: at.pipeline, where });
      if (known && known.uri === uri) return known.id;
      // an Importer execution makes the artifact, as TFX's Importer node does, so the file is a
      // lineage root like any other artifact
      const exec = await store.createExecution({
        type: 'Importer',
        pipeline: at.pipeline,
        runId: at.runId,
        nodeId: at.nodeId,
        state: 'RUNNING',
        workflowId: at.workflowId ?? null,
        workflowRunId: at.workflowRunId ?? null,
        properties: { source: abs },
        inputs: [],
      });
      const [artifact] = await store.publishExecution(exec.id, [
        { name: 'result', type: 'ExternalArtifact', uri, properties: where },
      ]);
      return artifact!.id;
    },
  };
}
