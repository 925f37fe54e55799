/**
 * Conditional nodes through Temporal: a node whose `when` holds runs; one whose `when` is
 * false is recorded SKIPPED (with the reason and the inputs it would have read), so is every
 * node reading from it, and the run completes; a failure elsewhere still fails the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { Sleep } from '../fixtures/components.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;

beforeAll(async () => {
  env = await e2eEnv('sqlite');
  await env.startWorker();
});
afterAll(async () => env?.close());

describe('when', () => {
  it('runs the node whose condition holds, skips the one whose condition is false and what reads from it', async () => {
    const pipeline = definePipeline({ name: 'gated' }, (p) => {
      // Sleep's output records its label: the stand-in for an Evaluator's `blessed`
      const gate = p.add(Sleep({ label: 'blessed' }), { id: 'gate' });
      const yes = { output: gate.outputs.out, property: 'label', equals: 'blessed' };
      const no = { output: gate.outputs.out, property: 'label', equals: 'not blessed' };
      p.add(Sleep({ upstream: gate.outputs.out, label: 'push' }), { id: 'push', when: yes });
      const skipped = p.add(Sleep({ upstream: gate.outputs.out, label: 'rollout' }), { id: 'rollout', when: no });
      p.add(Sleep({ upstream: skipped.outputs.out, label: 'notify' }), { id: 'notify' });
    });
    const result = await watchRun(await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home })), () => {});
    expect(result.status).toBe('COMPLETE');
    expect(result.nodes.push!.status).toBe('COMPLETE');
    expect(result.nodes.rollout).toMatchObject({
      status: 'SKIPPED',
      error: 'condition gate.out.label == "not blessed" is false (it is "blessed")',
    });
    expect(result.nodes.notify).toMatchObject({ status: 'SKIPPED', error: 'upstream rollout skipped' });

    const execs = await env.store.listExecutions({ runId: result.runId });
    const byNode = Object.fromEntries(execs.map((e) => [e.nodeId, e]));
    expect(byNode.rollout!.state).toBe('SKIPPED');
    expect(byNode.rollout!.properties.skipped).toMatch(/is false/);
    expect(byNode.notify!.state).toBe('SKIPPED');
    // the skipped node's inputs are recorded: lineage shows what it would have read
    const gateOut = result.nodes.gate!.outputs!.out!;
    expect((await env.store.eventsOfExecution(byNode.rollout!.id)).map((e) => [e.type, e.name, e.artifactId])).toEqual([
      ['INPUT', 'upstream', gateOut],
    ]);
    // nothing was published by the skipped nodes
    expect((await env.store.listArtifacts({ pipeline: 'gated' })).map((a) => a.name).sort()).toEqual(['gate.out', 'push.out']);
    expect((await env.store.listRuns({ pipeline: 'gated' }))[0]!.status).toBe('COMPLETE');
  });

  it('a property the artifact lacks is a false condition; a failed node still fails the run', async () => {
    const pipeline = definePipeline({ name: 'gated-fail' }, (p) => {
      const gate = p.add(Sleep({ label: 'x' }), { id: 'gate' });
      p.add(Sleep({ label: 'never' }), { id: 'absent', when: { output: gate.outputs.out, property: 'blessed', equals: true } });
      p.add(Sleep({ label: 'boom', fail: 'data' }), { id: 'broken', retry: { maximumAttempts: 1 } });
    });
    const result = await watchRun(await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home })), () => {});
    expect(result.status).toBe('FAILED');
    expect(result.nodes.absent).toMatchObject({ status: 'SKIPPED', error: 'condition gate.out.blessed == true is false (it is unset)' });
    expect(result.nodes.broken!.status).toBe('FAILED');
  });
});
