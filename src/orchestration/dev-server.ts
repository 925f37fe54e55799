/**
 * The embedded default: a local `temporal server start-dev` with its state in a SQLite file
 * under TSFX_HOME. It is started detached so it outlives the tsfx process that started it:
 * the next `tsfx run`, a worker and the Web UI all reuse it. A cluster configured with
 * TEMPORAL_ADDRESS is used as is and nothing is started.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { statePaths, type TsfxConfig } from '../config.js';
import { TsfxError } from '../errors.js';
import {
  isExecutable,
  isTemporalProcess,
  livePid,
  serverPort,
  tail,
  tcpOpen,
  withStartLock,
} from './dev-server-process.js';

export interface EnsureTemporalOptions {
  log?: (message: string) => void;
  /** how long to wait for a started server to serve the namespace; default 60 s */
  timeoutMs?: number;
}

export interface TemporalEndpoint {
  /** host:port of the Temporal frontend */
  address: string;
  /** true when this call spawned the dev server */
  started: boolean;
  /** the Web UI, for the embedded dev server */
  uiUrl?: string;
}

export interface DevServerStatus {
  /** the configured cluster, or the dev server's address */
  address: string;
  external: boolean;
  /** pid of the dev server tsfx started, if it is still alive */
  pid?: number;
  /** something answers at `address` and serves the namespace */
  serving: boolean;
  uiUrl?: string;
  logFile: string;
  dbFile: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const defaultLog = (m: string) => process.stderr.write(`[tsfx] ${m}\n`);

/** The dev server's gRPC port: TSFX_DEV_SERVER_PORT or Temporal's default 7233. */
export function devServerPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TSFX_DEV_SERVER_PORT;
  if (!raw) return 7233;
  const port = Number(raw);
  // the UI listens on port + 1000, which must be a valid port too
  if (!Number.isInteger(port) || port < 1 || port > 64535) {
    throw new TsfxError(`TSFX_DEV_SERVER_PORT must be a port number below 64536, got '${raw}'`);
  }
  return port;
}

const endpoint = (port: number) => ({ address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${port + 1000}` });

/** The Temporal frontend to use, starting the embedded dev server if nothing answers. */
export async function ensureTemporal(config: TsfxConfig, opts: EnsureTemporalOptions = {}): Promise<TemporalEndpoint> {
  if (config.temporalAddress) return { address: config.temporalAddress, started: false };
  const log = opts.log ?? defaultLog;
  const port = devServerPort();
  const { address, uiUrl } = endpoint(port);
  if (await isServing(address, config.temporalNamespace)) return { address, started: false, uiUrl };

  const paths = statePaths(config.home);
  fs.mkdirSync(path.dirname(paths.temporalDb), { recursive: true });
  // parallel tsfx processes (or test files) must not both spawn a server on one db file
  return withStartLock(`${paths.temporalPid}.lock`, async () => {
    if (await isServing(address, config.temporalNamespace)) return { address, started: false, uiUrl };
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    const existing = livePid(paths.temporalPid);
    if (existing !== undefined) {
      const theirs = serverPort(existing);
      if (theirs !== undefined && theirs !== port) {
        throw new TsfxError(
          `the dev server of ${config.home} (pid ${existing}) listens on port ${theirs}, not ${port}; ` +
            `stop it first or set TSFX_DEV_SERVER_PORT=${theirs}`,
        );
      }
      // ours, but not serving yet: wait for it rather than start a twin on the same db file
      log(`waiting for the Temporal dev server (pid ${existing}) at ${address}`);
      await waitUntilServing(
        address,
        config.temporalNamespace,
        deadline,
        paths.temporalLog,
        () => livePid(paths.temporalPid) !== undefined,
      );
      return { address, started: false, uiUrl };
    }
    const bin = await temporalBinary(config, log);
    const flags = {
      '--db-filename': paths.temporalDb,
      '--ip': '127.0.0.1',
      '--port': String(port),
      '--ui-port': String(port + 1000),
      '--log-level': 'warn',
      '--namespace': config.temporalNamespace,
    };
    const args = ['server', 'start-dev', ...Object.entries(flags).flat()];
    log(`starting the Temporal dev server at ${address} (UI ${uiUrl}, log ${paths.temporalLog})`);
    const logFd = fs.openSync(paths.temporalLog, 'a');
    fs.writeSync(logFd, `\n--- ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
    // detached + unref: its own process group, so it survives this process and its Ctrl-C
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', logFd, logFd], cwd: config.home });
    fs.closeSync(logFd);
    let exited = false;
    child.once('exit', () => (exited = true));
    // a spawn failure (ENOENT, EACCES) arrives as an event; without a listener it would crash us
    child.once('error', () => (exited = true));
    child.unref();
    if (child.pid === undefined) throw new TsfxError(`could not start ${bin}; see ${paths.temporalLog}`);
    fs.writeFileSync(paths.temporalPid, `${child.pid}\n`);
    await waitUntilServing(address, config.temporalNamespace, deadline, paths.temporalLog, () => !exited);
    log(`Temporal dev server ready at ${address}`);
    return { address, started: true, uiUrl };
  });
}

/**
 * Stop the dev server tsfx started from this TSFX_HOME: SIGTERM, then SIGKILL after `graceMs`.
 * `foreign` is set when this home started none but something still serves its address (a
 * server another home started): it is left running, and the caller should say so.
 */
export async function stopDevServer(
  config: TsfxConfig,
  opts: { graceMs?: number } = {},
): Promise<{ stopped: boolean; pid?: number; foreign?: string }> {
  const pidFile = statePaths(config.home).temporalPid;
  const pid = livePid(pidFile);
  if (pid === undefined) {
    fs.rmSync(pidFile, { force: true });
    const { address } = endpoint(devServerPort());
    return (await tcpOpen(address)) ? { stopped: false, foreign: address } : { stopped: false };
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (opts.graceMs ?? 15_000);
  while (isTemporalProcess(pid) && Date.now() < deadline) await sleep(100);
  if (isTemporalProcess(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isTemporalProcess(pid)) await sleep(50);
  }
  fs.rmSync(pidFile, { force: true });
  return { stopped: true, pid };
}

export async function devServerStatus(config: TsfxConfig): Promise<DevServerStatus> {
  const paths = statePaths(config.home);
  const files = { logFile: paths.temporalLog, dbFile: paths.temporalDb };
  if (config.temporalAddress) {
    return {
      address: config.temporalAddress,
      external: true,
      serving: await isServing(config.temporalAddress, config.temporalNamespace),
      ...files,
    };
  }
  const { address, uiUrl } = endpoint(devServerPort());
  return {
    address,
    external: false,
    pid: livePid(paths.temporalPid),
    serving: await isServing(address, config.temporalNamespace),
    uiUrl,
    ...files,
  };
}

/** A cheap TCP check first (a closed port fails at once), then a real gRPC call on the namespace. */
async function isServing(address: string, namespace: string): Promise<boolean> {
  if (!(await tcpOpen(address))) return false;
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 3_000 });
    await connection.withDeadline(Date.now() + 3_000, () =>
      connection!.workflowService.describeNamespace({ namespace }),
    );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

async function waitUntilServing(
  address: string,
  namespace: string,
  deadline: number,
  logFile: string,
  alive: () => boolean,
) {
  for (;;) {
    // checked before probing: a probe of a port held by something else takes seconds to give up
    if (!alive())
      throw new TsfxError(
        `the Temporal dev server exited before serving ${address}; see ${logFile}:\n${tail(logFile)}`,
      );
    if (await isServing(address, namespace)) return;
    if (Date.now() > deadline)
      throw new TsfxError(
        `the Temporal dev server did not serve namespace '${namespace}' at ${address} in time; see ${logFile}`,
      );
    await sleep(250);
  }
}

/**
 * The pinned binary under TSFX_HOME, else the checkout's own (scripts/setup.sh puts it in
 * <repo>/.tsfx/bin, shared by every TSFX_HOME), else `temporal` on PATH, else install it there.
 */
async function temporalBinary(config: TsfxConfig, log: (m: string) => void): Promise<string> {
  const ownHome = statePaths(config.home).temporalBin;
  if (isExecutable(ownHome)) return ownHome;
  const repoHome = path.join(repoRoot, '.tsfx');
  const pinned = statePaths(repoHome).temporalBin;
  if (isExecutable(pinned)) return pinned;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  log(`no Temporal CLI found; installing it into ${path.dirname(pinned)}`);
  const script = path.join(repoRoot, 'scripts', 'install-temporal.sh');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [script], {
      env: { ...process.env, TSFX_HOME: repoHome },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let buffered = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) log(line);
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0 || !isExecutable(pinned))
    throw new TsfxError(`${script} failed (exit ${code}); install the Temporal CLI or set TEMPORAL_ADDRESS`);
  return pinned;
}
