/**
 * The InfraValidator's sandbox: a child Node process (sandbox-child.ts) serving the candidate
 * with src/serving's REST server, under a memory cap (V8's --max-old-space-size, and where
 * util-linux's prlimit is on PATH a hard RLIMIT_DATA on the whole process: heap, native
 * buffers and thread stacks; RLIMIT_AS would not do, as V8 and WebAssembly reserve gigabytes
 * of address space they never touch) and a load-time limit (spawn to version AVAILABLE, read
 * from the server's own status endpoint). Whatever happens, the process is killed before
 * `stop` resolves, and on abort; if this process dies instead, the child sees its IPC channel
 * close and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CHILD = fileURLToPath(new URL('./sandbox-child.ts', import.meta.url));
const POLL_MS = 25;
// the head of stderr: a fatal error's message comes before its (long) native stack trace
const STDERR_KEEP = 64 * 1024;

export interface SandboxOptions {
  /** the Model folder to serve */
  modelDir: string;
  /** the model base the child places it in, as version 1 (an empty folder of the caller's) */
  base: string;
  name: string;
  memoryLimitMb: number;
  maxLoadingTimeMs: number;
  signal?: AbortSignal;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface Sandbox {
  url: string;
  pid: number;
  /** spawn to AVAILABLE */
  loadMs: number;
  /** why the process ended, when it ended on its own (a crash, the memory cap); undefined while it runs */
  crash(): string | undefined;
  /** kill the process (if it still runs) and wait for its exit */
  stop(): Promise<ExitInfo>;
}

/** The load failed: the reason says why, the process is gone. */
export class SandboxFailure extends Error {
  override name = 'SandboxFailure';
  constructor(
    message: string,
    readonly exit: ExitInfo,
  ) {
    super(message);
  }
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir || '.', cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How the cap is applied here, as recorded on the blessing. */
export function memoryCapMethod(mb: number): string {
  return onPath('prlimit')
    ? `prlimit --data=${mb}MiB and --max-old-space-size=${mb}`
    : `--max-old-space-size=${mb} only (no prlimit on PATH: native memory is not capped)`;
}

function command(opts: SandboxOptions): { file: string; args: string[] } {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const config = JSON.stringify({ modelDir: opts.modelDir, base: opts.base, name: opts.name });
  const node = [`--max-old-space-size=${opts.memoryLimitMb}`, '--import', tsx, CHILD, config];
  const prlimit = onPath('prlimit');
  // prlimit sets the limit on itself and execs node: the pid we hold is the server's
  if (prlimit)
    return { file: prlimit, args: [`--data=${opts.memoryLimitMb * 1024 * 1024}`, '--', process.execPath, ...node] };
  return { file: process.execPath, args: node };
}

const MEMORY_HINT =
  /out of memory|heap limit|allocation failed|cannot allocate|pthread_create|ENOMEM|std::bad_alloc|OOM/i;

/** Stack frames and V8's banner lines say nothing a user can act on. */
const NOISE = /^(#.*|\d+: 0x[0-9a-f]+.*|-+ (Native|JS) stack trace -+|FailureMessage Object.*|Node\.js v.*|at .*)$/;

function describeExit(exit: ExitInfo, stderr: string, capMb: number): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !NOISE.test(l));
  const oom = stderr
    .split('\n')
    .map((l) => l.replace(/^#\s*/, '').trim())
    .find((l) => MEMORY_HINT.test(l));
  if (oom) return `the model server ${how}, out of memory under the ${capMb} MB cap (raise memoryLimitMb): ${oom}`;
  const last = lines.slice(-2).join(' | ');
  return `the model server ${how}${last ? `: ${last}` : ''}`;
}

/** Poll the REST status of version 1 until AVAILABLE; a version in END is a load failure with its error. */
async function waitAvailable(url: string, name: string, stopped: () => boolean): Promise<void> {
  const statusUrl = `${url}/v1/models/${encodeURIComponent(name)}/versions/1`;
  while (!stopped()) {
    const res = await fetch(statusUrl, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (res?.ok) {
      const body = (await res.json()) as {
        model_version_status?: { state: string; status?: { error_message?: string } }[];
      };
      const v = body.model_version_status?.[0];
      if (v?.state === 'AVAILABLE') return;
      if (v?.state === 'END')
        throw new Error(`version 1 failed to load: ${v.status?.error_message || 'no error given'}`);
    } else await res?.body?.cancel();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Start the child and wait until the candidate is AVAILABLE. Rejects with SandboxFailure (child
 * killed) when it crashes, fails to load or misses the load-time limit; with the signal's
 * reason (child killed) on abort.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  opts.signal?.throwIfAborted();
  const started = performance.now();
  const { file, args } = command(opts);
  const child: ChildProcess = spawn(file, args, {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (stderr.length < STDERR_KEEP) stderr += s.slice(0, STDERR_KEEP - stderr.length);
  });
  let exit: ExitInfo | undefined;
  let spawnError: Error | undefined;
  // 'exit' may come before stderr is drained: 'close' waits for both
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
    child.once('close', (code, signal) => resolve((exit = { code, signal })));
  });
  const kill = async (): Promise<ExitInfo> => {
    if (!exit) child.kill('SIGKILL');
    return exited;
  };
  const crash = () =>
    exit
      ? spawnError
        ? `cannot start the model server: ${spawnError.message}`
        : describeExit(exit, stderr, opts.memoryLimitMb)
      : undefined;

  let abortListener: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const fail = (reason: string) => reject(new Error(reason));
      timer = setTimeout(
        () => fail(`did not load within ${opts.maxLoadingTimeMs} ms (maxLoadingTimeMs)`),
        opts.maxLoadingTimeMs,
      );
      abortListener = () => reject(opts.signal!.reason ?? new Error('aborted'));
      opts.signal?.addEventListener('abort', abortListener, { once: true });
      void exited.then(() => fail(crash()!));
      child.once('message', (m: { type?: string; url?: string }) => {
        if (m?.type !== 'listening' || typeof m.url !== 'string')
          return fail(`unexpected message from the model server: ${JSON.stringify(m)}`);
        waitAvailable(m.url, opts.name, () => exit !== undefined).then(
          () => resolve(m.url!),
          (err: Error) => fail(err.message),
        );
      });
    });
    return { url, pid: child.pid!, loadMs: performance.now() - started, crash, stop: kill };
  } catch (err) {
    const info = await kill();
    if (opts.signal?.aborted) throw err;
    throw new SandboxFailure((err as Error).message, info);
  } finally {
    clearTimeout(timer);
    if (abortListener) opts.signal?.removeEventListener('abort', abortListener);
  }
}
