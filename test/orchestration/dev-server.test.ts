/**
 * Runs the real Temporal dev server on a private port and state folder: start, reuse, stop,
 * restart on the same SQLite file with the workflow history intact.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, statePaths } from '../../src/config.js';
import { devServerStatus, ensureTemporal, stopDevServer } from '../../src/orchestration/dev-server.js';
import { runTsfx } from '../helpers/cli.js';

// away from 7233 (the shared dev server other tests use) and from other runs of this file
const port = 17233 + Math.floor(Math.random() * 900);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-dev-server-'));
const config = loadConfig({ TSFX_HOME: home });
const logs: string[] = [];
const log = (m: string) => logs.push(m);
const savedPort = process.env.TSFX_DEV_SERVER_PORT;

function portAcceptsConnections(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function withClient<T>(address: string, fn: (client: Client, connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection, namespace: 'default' }), connection);
  } finally {
    await connection.close();
  }
}

beforeAll(() => {
  process.env.TSFX_DEV_SERVER_PORT = String(port);
});

afterAll(async () => {
  await stopDevServer(config);
  if (savedPort === undefined) delete process.env.TSFX_DEV_SERVER_PORT;
  else process.env.TSFX_DEV_SERVER_PORT = savedPort;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('embedded Temporal dev server', () => {
  const workflowId = `dev-server-test-${port}`;

  it('starts a server that serves the default namespace and the Web UI', async () => {
    const first = await ensureTemporal(config, { log });
    expect(first).toEqual({ address: `127.0.0.1:${port}`, started: true, uiUrl: `http://127.0.0.1:${port + 1000}` });
    const paths = statePaths(home);
    // installed into this private TSFX_HOME unless a `temporal` is on PATH
    expect(fs.existsSync(paths.temporalDb)).toBe(true);
    const pid = Number(fs.readFileSync(paths.temporalPid, 'utf8'));
    expect(pid).toBeGreaterThan(0);

    const names = await withClient(first.address, async (_client, connection) => {
      const res = await connection.workflowService.listNamespaces({});
      return res.namespaces.map((n) => n.namespaceInfo?.name);
    });
    expect(names).toContain('default');

    const ui = await fetch(first.uiUrl!);
    expect(ui.status).toBe(200);

    const status = await devServerStatus(config);
    expect(status).toMatchObject({ external: false, pid, serving: true, address: first.address });
  });

  it('reuses a running server instead of starting another', async () => {
    const pidBefore = fs.readFileSync(statePaths(home).temporalPid, 'utf8');
    const again = await ensureTemporal(config, { log });
    expect(again.started).toBe(false);
    expect(again.address).toBe(`127.0.0.1:${port}`);
    expect(fs.readFileSync(statePaths(home).temporalPid, 'utf8')).toBe(pidBefore);
  });

  it('keeps workflow state across a stop and restart on the same db file', async () => {
    const address = `127.0.0.1:${port}`;
    await withClient(address, (client) =>
      // no worker polls this queue, so the workflow stays RUNNING with its first task pending
      client.workflow.start('neverPolled', { taskQueue: `nobody-${port}`, workflowId, args: [{ n: 1 }] }),
    );

    const stop = await stopDevServer(config);
    expect(stop.stopped).toBe(true);
    expect(await portAcceptsConnections(port)).toBe(false);
    expect(fs.existsSync(statePaths(home).temporalPid)).toBe(false);
    expect((await devServerStatus(config)).serving).toBe(false);
    // stopping again is a no-op, not an error
    expect((await stopDevServer(config)).stopped).toBe(false);

    const restarted = await ensureTemporal(config, { log });
    expect(restarted.started).toBe(true);
    const described = await withClient(address, (client) => client.workflow.getHandle(workflowId).describe());
    expect(described.status.name).toBe('RUNNING');
    expect(described.type).toBe('neverPolled');
    expect(described.taskQueue).toBe(`nobody-${port}`);
  });

  it('refuses to start a twin on another port from the same TSFX_HOME', async () => {
    process.env.TSFX_DEV_SERVER_PORT = String(port + 1);
    try {
      await expect(ensureTemporal(config, { log })).rejects.toThrow(`listens on port ${port}, not ${port + 1}`);
    } finally {
      process.env.TSFX_DEV_SERVER_PORT = String(port);
    }
  });

  it('uses a temporal found on PATH and names the log when the server cannot start', async () => {
    const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-busy-'));
    const savedPath = process.env.PATH;
    // something that is not Temporal holds the port: it hangs up on every connection
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => squatter.listen(port + 2, '127.0.0.1', resolve));
    process.env.PATH = `${path.dirname(statePaths(home).temporalBin)}${path.delimiter}${savedPath}`;
    process.env.TSFX_DEV_SERVER_PORT = String(port + 2);
    try {
      const other = loadConfig({ TSFX_HOME: otherHome });
      const err = await ensureTemporal(other, { log }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`exited before serving 127.0.0.1:${port + 2}`);
      expect((err as Error).message).toContain(statePaths(otherHome).temporalLog);
      expect((err as Error).message).toContain('address already in use');
      // the binary on PATH was used: nothing was installed into the new home
      expect(fs.existsSync(statePaths(otherHome).temporalBin)).toBe(false);
    } finally {
      process.env.PATH = savedPath;
      process.env.TSFX_DEV_SERVER_PORT = String(port);
      squatter.close();
      fs.rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('reports an external cluster as is and starts nothing', async () => {
    const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-external-'));
    try {
      const external = loadConfig({ TSFX_HOME: otherHome, TEMPORAL_ADDRESS: 'temporal.example:7233' });
      const res = await ensureTemporal(external, { log });
      expect(res).toEqual({ address: 'temporal.example:7233', started: false });
      expect(fs.readdirSync(otherHome)).toEqual([]);
      expect((await stopDevServer(external)).stopped).toBe(false);
    } finally {
      fs.rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('`tsfx server stop` from a home that did not start the server says so, fails, and leaves it running', async () => {
    const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-not-ours-'));
    try {
      expect((await devServerStatus(config)).serving).toBe(true);
      const env = { ...process.env, TSFX_HOME: otherHome, TEMPORAL_ADDRESS: '', TSFX_DEV_SERVER_PORT: String(port) };
      const r = await runTsfx(env, 'server', 'stop');
      expect(r.code).not.toBe(0);
      expect(r.stdout).not.toContain('stopped');
      expect(r.stderr).toContain(`the dev server on 127.0.0.1:${port} was not started from this TSFX_HOME (${otherHome}); it keeps running`);
      expect((await devServerStatus(config)).serving).toBe(true);
      // its own home stops it
      const own = await runTsfx({ ...env, TSFX_HOME: home }, 'server', 'stop');
      expect(own.code, own.stderr).toBe(0);
      expect(own.stdout).toMatch(/^stopped \(pid \d+\)/);
      expect(await portAcceptsConnections(port)).toBe(false);
    } finally {
      fs.rmSync(otherHome, { recursive: true, force: true });
    }
  });
});
