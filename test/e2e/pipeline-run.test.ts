/**
 * Whole pipelines through a real Temporal dev server and real workers, on SQLite and on
 * PostgreSQL metadata: parallel branches, lineage, caching, failures, cancellation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import type { PipelineRunResult } from '../../src/orchestration/types.js';
import { defineComponent } from '../../src/dsl/component.js';
import { Sleep, sleepSpec } from '../fixtures/components.js';
import { e2eEnv, type Backend, type E2eEnv } from '../helpers/e2e.js';

interface DiamondParams {
  attemptsFile: string;
  bLabel?: string;
  ms?: number;
}

/** a -> (b, c) -> d(b): b and c are independent and must overlap */
function diamond({ attemptsFile, bLabel = 'b', ms = 600 }: DiamondParams) {
  return definePipeline({ name: 'diamond' }, (p) => {
    const a = p.add(Sleep({ label: 'a', attemptsFile }), { id: 'a' });
    const b = p.add(Sleep({ upstream: a.outputs.out, label: bLabel, ms, attemptsFile }), { id: 'b' });
    p.add(Sleep({ upstream: a.outputs.out, label: 'c', ms, attemptsFile }), { id: 'c' });
    p.add(Sleep({ upstream: b.outputs.out, label: 'd', attemptsFile }), { id: 'd' });
  });
}

const attempts = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

describe.each<Backend>(['sqlite', 'postgres'])('pipeline runs on %s metadata', (backend) => {
  let env: E2eEnv;
  let attemptsFile: string;
  const run = async (pipeline: ReturnType<typeof diamond>, noCache = false): Promise<PipelineRunResult> => {
    const spec = pipeline.compile({ root: env.config.home });
    const handle = await startPipelineRun(env.client, env.config, spec, { noCache });
    return watchRun(handle, () => {});
  };

  beforeAll(async () => {
    env = await e2eEnv(backend);
    await env.startWorker();
    attemptsFile = path.join(env.config.home, 'attempts.log');
  });
  afterAll(async () => env?.close());

  it('runs independent nodes in parallel and records every execution, artifact and event', async () => {
    const result = await run(diamond({ attemptsFile }));
    expect(result.status).toBe('COMPLETE');
    const { b, c, d } = result.nodes;
    expect(b!.startedAt! < c!.finishedAt! && c!.startedAt! < b!.finishedAt!).toBe(true);
    expect(d!.startedAt!).toBeGreaterThanOrEqual(b!.finishedAt!);
    expect(attempts(attemptsFile)).toHaveLength(4);

    const execs = await env.store.listExecutions({ runId: result.runId });
    expect(execs.map((e) => `${e.nodeId}:${e.state}`).sort()).toEqual([
      'a:COMPLETE',
      'b:COMPLETE',
      'c:COMPLETE',
      'd:COMPLETE',
    ]);
    const dOut = await env.store.getArtifact(d!.outputs!.out!);
    expect(dOut?.type).toBe('ExternalArtifact');
    // d read b's file which read a's: the data really flowed through the artifact folders
    expect(fs.readFileSync(path.join(dOut!.uri, 'value.txt'), 'utf8')).toBe('a;b;d;');
    const up = await env.store.lineage(dOut!.id, 'upstream', 10);
    const names: string[] = [];
    const walk = (n: typeof up) =>
      n.executions.forEach((e) => {
        names.push(e.execution.nodeId);
        e.artifacts.forEach(walk);
      });
    walk(up);
    expect(names).toEqual(expect.arrayContaining(['d', 'b', 'a']));
    expect(names).not.toContain('c');
    // a user finds an artifact's files from its id: <store root>/<pipeline>/<node>/<output>/<id>
    for (const x of execs) {
      const [event] = (await env.store.eventsOfExecution(x.id)).filter((ev) => ev.type === 'OUTPUT');
      const artifact = (await env.store.getArtifact(event!.artifactId))!;
      expect(artifact.uri).toBe(path.join(env.config.storeRoot, 'diamond', x.nodeId, 'out', String(artifact.id)));
      expect(fs.readFileSync(path.join(artifact.uri, 'value.txt'), 'utf8')).toContain(`${x.nodeId};`);
    }
  });

  it('caches a rerun, and reruns only a changed node and what is downstream of it', async () => {
    const first = await run(diamond({ attemptsFile }));
    const before = attempts(attemptsFile).length;
    const again = await run(diamond({ attemptsFile }));
    expect(Object.values(again.nodes).map((n) => n.status)).toEqual(['CACHED', 'CACHED', 'CACHED', 'CACHED']);
    expect(attempts(attemptsFile)).toHaveLength(before);
    for (const id of ['a', 'b', 'c', 'd']) expect(again.nodes[id]!.outputs).toEqual(first.nodes[id]!.outputs);
    const cached = await env.store.listExecutions({ runId: again.runId });
    expect(cached.every((e) => e.state === 'CACHED')).toBe(true);

    const changed = await run(diamond({ attemptsFile, bLabel: 'b2' }));
    const states = Object.fromEntries(Object.entries(changed.nodes).map(([id, n]) => [id, n.status]));
    expect(states).toEqual({ a: 'CACHED', b: 'COMPLETE', c: 'CACHED', d: 'COMPLETE' });
    expect(attempts(attemptsFile)).toHaveLength(before + 2);

    const forced = await run(diamond({ attemptsFile }), true);
    expect(Object.values(forced.nodes).every((n) => n.status === 'COMPLETE')).toBe(true);
  });

  it('never reuses another pipeline\'s outputs: the cache is scoped to the pipeline, as in TFX', async () => {
    const attemptsFile = path.join(env.config.home, 'attempts-scope.log');
    const twin = (name: string) => definePipeline({ name }, (p) => void p.add(Sleep({ label: 'same', attemptsFile }), { id: 'a' }));
    const first = await run(twin('scope-one'));
    const other = await run(twin('scope-two'));
    expect([first.nodes.a!.status, other.nodes.a!.status]).toEqual(['COMPLETE', 'COMPLETE']);
    expect((await run(twin('scope-two'))).nodes.a!.status).toBe('CACHED');
    expect(attempts(attemptsFile)).toHaveLength(2);
  });

  it('a data error fails the node once, skips what depends on it, and publishes nothing for it', async () => {
    const file = path.join(env.config.home, 'attempts-fail.log');
    const pipeline = definePipeline({ name: 'failing' }, (p) => {
      const a = p.add(Sleep({ label: 'a', attemptsFile: file }), { id: 'a' });
      const bad = p.add(Sleep({ upstream: a.outputs.out, label: 'bad', fail: 'data', attemptsFile: file }), {
        id: 'bad',
      });
      p.add(Sleep({ upstream: bad.outputs.out, label: 'after' }), { id: 'after' });
      p.add(Sleep({ upstream: a.outputs.out, label: 'side' }), { id: 'side' });
    });
    const result = await run(pipeline);
    expect(result.status).toBe('FAILED');
    expect(result.nodes.bad!.status).toBe('FAILED');
    expect(result.nodes.bad!.error).toMatch(/fixture\.csv line 3: bad input in bad/);
    expect(result.nodes.after!.status).toBe('SKIPPED');
    expect(result.nodes.side!.status).toBe('COMPLETE');
    expect(attempts(file).filter((l) => l.startsWith('bad '))).toHaveLength(1); // not retried
    const execs = await env.store.listExecutions({ runId: result.runId, nodeId: 'bad' });
    expect(execs).toHaveLength(1);
    expect(execs[0]!.state).toBe('FAILED');
    expect(String(execs[0]!.properties.error)).toMatch(/bad input/);
    // its output was reserved (PENDING) and never published: not listed, no folder
    const events = await env.store.eventsOfExecution(execs[0]!.id);
    expect(events.map((ev) => ev.type)).toEqual(['INPUT', 'PENDING_OUTPUT']);
    const reserved = (await env.store.getArtifact(events[1]!.artifactId))!;
    expect(reserved.state).toBe('PENDING');
    expect((await env.store.listArtifacts({ pipeline: 'failing' })).map((a) => a.name).sort()).toEqual(['a.out', 'side.out']);
    expect(fs.existsSync(reserved.uri)).toBe(false);
    const nodeDir = path.join(env.config.storeRoot, 'failing', 'bad');
    // the failed attempt removed its own staging folder too
    expect(fs.readdirSync(path.join(nodeDir, '.staging'))).toEqual([]);
  });

  it("retries a transient executor error up to the node's attempts", async () => {
    const file = path.join(env.config.home, 'attempts-crash.log');
    const pipeline = definePipeline({ name: 'crashing' }, (p) => {
      p.add(Sleep({ label: 'x', fail: 'crash', attemptsFile: file }), {
        id: 'x',
        retry: { maximumAttempts: 3, initialIntervalMs: 100, maximumIntervalMs: 200 },
      });
    });
    const result = await run(pipeline);
    expect(result.status).toBe('FAILED');
    expect(result.nodes.x!.error).toMatch(/transient failure in x/);
    expect(attempts(file)).toHaveLength(3);
  });

  it('a component no worker knows fails its node at once, saying how to register one', { timeout: 30_000 }, async () => {
    const Unregistered = defineComponent({ ...sleepSpec, name: 'Unregistered' });
    const pipeline = definePipeline({ name: 'unknown' }, (p) => {
      const x = p.add(Unregistered({ label: 'x' }), { id: 'x' });
      p.add(Sleep({ upstream: x.outputs.out, label: 'y' }), { id: 'y' });
    });
    const result = await run(pipeline);
    expect(result.status).toBe('FAILED');
    expect(result.nodes.x!.error).toMatch(/no component 'Unregistered' is registered on this worker .*register it/);
    expect(result.nodes.y!.status).toBe('SKIPPED');
    // no node ever ran, yet the run is listed, FAILED, with the reason
    const [recorded] = await env.store.listRuns({ pipeline: 'unknown' });
    expect(await env.store.listExecutions({ runId: result.runId })).toEqual([]);
    expect(recorded).toMatchObject({ runId: result.runId, status: 'FAILED', error: expect.stringMatching(/no component 'Unregistered'/) });
  });

  it('cancel stops the run and records CANCELED executions', async () => {
    const pipeline = definePipeline({ name: 'long' }, (p) => {
      const a = p.add(Sleep({ label: 'a', ms: 60_000 }), { id: 'a', timeouts: { heartbeatMs: 5_000 } });
      p.add(Sleep({ upstream: a.outputs.out, label: 'b' }), { id: 'b' });
    });
    const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home }));
    const watching = watchRun(handle, () => {});
    const runId = handle.workflowId.split('/')[1]!;
    for (let i = 0; i < 100; i++) {
      const running = await env.store.listExecutions({ runId, state: 'RUNNING' });
      if (running.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await handle.cancel();
    const result = await watching;
    expect(result.status).toBe('CANCELED');
    const execs = await env.store.listExecutions({ runId });
    expect(execs.map((e) => `${e.nodeId}:${e.state}`)).toEqual(['a:CANCELED']);
    expect((await env.store.listRuns({ pipeline: 'long' }))[0]).toMatchObject({ runId, status: 'CANCELED' });
  });
});
