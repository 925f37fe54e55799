/**
 * Load and faults with a real trained penguin Model: clients keep sending predict and classify
 * requests (latest version, and through a label) while new versions are pushed (written
 * elsewhere and renamed, as the Pusher does) and the label moves forward and back; not one
 * request may fail. Then a corrupt version and one whose warm-up request fails are pushed:
 * both are reported END with their error and never served, and serving goes on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { promote, rollback } from '../../src/serving/labels.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';
import { penguinFixture, pushVersion, type PenguinFixture } from './penguin-fixture.js';

let penguins: PenguinFixture;
let server: RunningServer;
let repository: ModelRepository;
let base: string;
const logs: string[] = [];

beforeAll(async () => {
  await ensureBackend();
  penguins = await penguinFixture();
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-swap-'));
  pushVersion(penguins.model, base, 'penguin', 1, warmup());
  promote(base, 'penguin', 1, 'stable');
  // the default policy: latest 1 (plus labelled versions)
  repository = new ModelRepository(base, { pollMs: 30, log: (m) => logs.push(m) });
  await repository.start();
  server = await startServer({ repository, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await repository?.stop();
});

const warmup = () => [{ instances: penguins.requestRows.slice(0, 3) }];

async function get(p: string): Promise<any> {
  return (await fetch(server.url + p)).json();
}

/** Poll until `check` holds, bounded by count (each poll is a real HTTP request). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}; log:\n${logs.join('\n')}`);
}

const labelVersion = async () => (await get('/v1/models/penguin/labels/stable/metadata')).model_spec?.version;
const latestVersion = async () => (await get('/v1/models/penguin/metadata')).model_spec?.version;
const states = async () =>
  ((await get('/v1/models/penguin')).model_version_status as { version: string; state: string }[])
    .map((s) => `${s.version}:${s.state}`)
    .join(',');

/** Clients sending requests in a loop until stopped; every answer that is not a 200 is kept. */
function load(clients: number) {
  let stop = false;
  const failures: string[] = [];
  let ok = 0;
  const rows = penguins.requestRows.slice(0, 8);
  const examples = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
  const requests: [string, unknown][] = [
    ['/v1/models/penguin:predict', { instances: rows }],
    ['/v1/models/penguin/labels/stable:predict', { instances: rows }],
    ['/v1/models/penguin/labels/stable:classify', { signature_name: 'classification', examples }],
  ];
  const loop = async (c: number) => {
    for (let i = c; !stop; i++) {
      const [p, body] = requests[i % requests.length]!;
      try {
        const res = await fetch(server.url + p, { method: 'POST', body: JSON.stringify(body) });
        const text = await res.text();
        if (res.status === 200) ok++;
        else failures.push(`${p}: ${res.status} ${text}`);
      } catch (err) {
        failures.push(`${p}: ${(err as Error).message}`);
      }
    }
  };
  const running = Array.from({ length: clients }, (_, c) => loop(c));
  return {
    failures,
    ok: () => ok,
    async stop() {
      stop = true;
      await Promise.all(running);
    },
  };
}

describe('versions and labels under load', () => {
  it('fails no request while versions are pushed and the label moves forward and back', async () => {
    const clients = load(4);
    await new Promise((r) => setTimeout(r, 300));
    pushVersion(penguins.model, base, 'penguin', 2, warmup());
    await until('version 2 serves latest', async () => (await latestVersion()) === '2');
    promote(base, 'penguin', 2, 'stable');
    await until('stable -> 2', async () => (await labelVersion()) === '2');
    pushVersion(penguins.model, base, 'penguin', 3, warmup());
    await until('version 3 serves latest', async () => (await latestVersion()) === '3');
    promote(base, 'penguin', 3, 'stable');
    await until('stable -> 3', async () => (await labelVersion()) === '3');
    // version 2 is neither latest nor labelled now: unloaded; rolling back loads it again first
    await until('version 2 unloaded', async () => (await states()).includes('2:END'));
    rollback(base, 'penguin', 'stable');
    await until('stable back on 2', async () => (await labelVersion()) === '2');
    await new Promise((r) => setTimeout(r, 200));
    await clients.stop();
    expect(clients.failures).toEqual([]);
    expect(clients.ok()).toBeGreaterThan(30);
    expect(await states()).toBe('3:AVAILABLE,2:AVAILABLE,1:END');
    // each swap loaded (and warmed up) the new version before unloading the old one
    expect(logs.indexOf('penguin: version 2 loaded')).toBeGreaterThanOrEqual(0);
    expect(logs.indexOf('penguin: version 2 loaded')).toBeLessThan(logs.indexOf('penguin: version 1 unloaded'));
    expect(logs.indexOf('penguin: version 3 loaded')).toBeLessThan(logs.indexOf('penguin: version 2 unloaded'));
  });

  it('reports a corrupt version and one whose warm-up fails, never serves them, and keeps serving', async () => {
    const clients = load(2);
    pushVersion(penguins.model, base, 'penguin', 4, warmup(), (dir) => {
      fs.truncateSync(path.join(dir, 'weights.bin'), 10);
    });
    await until('version 4 reported', async () => (await states()).startsWith('4:END'));
    pushVersion(penguins.model, base, 'penguin', 5, [{ instances: [{ ...penguins.requestRows[0], Wingspan: 1 }] }]);
    // a half-done push (a dot folder) and a dot model folder are never versions or models
    fs.cpSync(penguins.model, path.join(base, 'penguin', '.push-6-abandoned'), { recursive: true });
    fs.cpSync(penguins.model, path.join(base, '.trash', '1'), { recursive: true });
    await until('versions 4 and 5 reported', async () => (await states()).startsWith('5:END,4:END'));
    await new Promise((r) => setTimeout(r, 200));
    await clients.stop();
    expect(clients.failures).toEqual([]);
    const status = (await get('/v1/models/penguin')).model_version_status as any[];
    expect(status.map((s) => s.version)).toEqual(['5', '4', '3', '2', '1']);
    expect(status[0].status.error_code).toBe('INVALID_ARGUMENT');
    expect(status[0].status.error_message).toMatch(/warm-up request 0 failed: .*does not have named input: Wingspan/);
    expect(status[1].status.error_code).toBe('DATA_LOSS');
    expect(status[1].status.error_message).toMatch(/penguin\/4\/weights\.bin/);
    expect(status[1].status.error_message).not.toContain(base);
    expect(await latestVersion()).toBe('3');
    for (const v of [4, 5]) {
      const r = await fetch(`${server.url}/v1/models/penguin/versions/${v}:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: penguins.requestRows.slice(0, 1) }),
      });
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(
        new RegExp(`version ${v} is not available \\(state END`),
      );
    }
    expect(repository.modelNames()).toEqual(['penguin']);
    expect((await fetch(`${server.url}/v1/models/.trash`)).status).toBe(400);
  });
});
