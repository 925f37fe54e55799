/**
 * Riding out a database that is briefly not there (a PostgreSQL restart or failover, a SQLite
 * file locked past its busy timeout): every store call is retried as a whole on connection-class
 * errors, with backoff, for up to TSFX_METADATA_RETRY_MS (default a minute). As a whole: a store
 * method is one statement or one writeTransaction, so a retry replays the entire transaction on
 * a fresh connection, never a statement in the middle of one. Any other error (a constraint, a
 * MetadataError) is the answer and is thrown at once.
 */
import { MetadataUnavailableError, TsfxError } from '../errors.js';

export const DEFAULT_METADATA_RETRY_MS = 60_000;
const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 is connection exceptions */
const PG_CODES = /^(57P0[123]|08\w{3})$/;
const SQLITE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']);
// pg reports a dropped socket with messages, not codes
const MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i;

export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NODE_CODES.has(code) || PG_CODES.test(code) || SQLITE_CODES.has(code))) return true;
    if (MESSAGES.test((e as { message?: string }).message ?? '')) return true;
    // AggregateError: a connect to every resolved address failed
    const errors = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.some(isConnectionError)) return true;
  }
  return false;
}

export function metadataRetryMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TSFX_METADATA_RETRY_MS;
  if (raw === undefined || raw === '') return DEFAULT_METADATA_RETRY_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new TsfxError(`TSFX_METADATA_RETRY_MS must be a number of milliseconds, got '${raw}'`);
  return ms;
}

export interface RetryOptions {
  /** give up after this long; default metadataRetryMs() */
  windowMs?: number;
  /** told about each wait, e.g. to log it */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export async function withConnectionRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const windowMs = opts.windowMs ?? metadataRetryMs();
  const deadline = Date.now() + windowMs;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new MetadataUnavailableError(
          `metadata database unreachable for ${Math.round(windowMs / 1000)} s (${what}): ${(err as Error).message}`,
          { cause: err },
        );
      const wait = Math.min(delay * (0.8 + 0.4 * Math.random()), left);
      opts.onRetry?.(err, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

/**
 * The store with every method retried through withConnectionRetry. Methods run on the real
 * object, so a method calling another one is retried once, at the outside, not at both levels.
 */
export function retryingStore<S extends object>(store: S, opts: RetryOptions & { except?: string[] } = {}): S {
  const except = new Set(['close', ...(opts.except ?? [])]);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || except.has(prop) || prop === 'constructor')
        return value;
      return (...args: unknown[]) =>
        withConnectionRetry(prop, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args), opts);
    },
  });
}
