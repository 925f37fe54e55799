/**
 * The HTTP face of the model repository, speaking TF Serving's REST API:
 *   GET  /v1/models/{m}[/versions/{v}|/labels/{l}]            status
 *   GET  /v1/models/{m}[/versions/{v}|/labels/{l}]/metadata   signature
 *   POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict    row or columnar predict
 * The verb rides on a colon (`m:predict`), which fastify's router reads as a parameter marker,
 * so both methods take the whole tail with one wildcard route and parse it here.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { badRequest, notFound, ServingError } from './http-errors.js';
import type { ModelRepository, VersionSelector } from './model-repository.js';
import { DEFAULT_MAX_ROWS, predict } from './predict.js';
import { parseRequestJson } from './request-json.js';
import { modelMetadata } from './signature.js';

export interface ServerOptions {
  repository: ModelRepository;
  /** largest request body accepted, bytes */
  bodyLimit?: number;
  /** most rows one predict request may hold (413 past it) */
  maxRows?: number;
  /** a predict running longer answers 504, as TF Serving's --rest_api_timeout_in_ms (default 30 s) */
  timeoutMs?: number;
  /** rows per model.predict call: the event loop runs between chunks */
  chunkRows?: number;
  /** aborting it stops in-flight predicts at their next chunk with 503 (shutdown) */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_DRAIN_MS = 5_000;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /**
   * Stop accepting requests, give in-flight ones `drainMs` to finish, then stop the rest at their
   * next chunk (503) and close every connection.
   */
  close(drainMs?: number): Promise<void>;
}

interface ModelPath {
  model: string;
  selector: VersionSelector;
  /** 'metadata' (GET), a verb after ':' (POST), or undefined for status */
  action?: string;
}

// name, then optional /versions/N or /labels/L, then /metadata or :verb
const PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+)|\/labels\/([^/:]+))?(?:\/(metadata)|:([A-Za-z]+))?\/?$/;

function parsePath(method: string, url: string): ModelPath {
  const pathname = url.split('?')[0]!;
  const m = PATH.exec(pathname);
  if (!m) throw notFound(`Malformed request: ${method} ${pathname}`);
  const [, model, version, label, metadata, verb] = m;
  const selector: VersionSelector = {};
  if (version !== undefined) {
    if (!/^\d+$/.test(version))
      throw badRequest(`version '${decodeURIComponent(version)}' is not a non-negative integer`);
    selector.version = Number(version);
  }
  if (label !== undefined) selector.label = decodeURIComponent(label);
  return { model: decodeURIComponent(model!), selector, action: metadata ?? verb };
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const { repository } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024 });

  // TF Serving takes any content type (curl -d sends form-urlencoded); parse JSON ourselves so
  // a malformed body gets our message, not the framework's
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const code =
      err instanceof ServingError ? err.statusCode : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(code).send({ error: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: `Malformed request: ${req.method} ${req.url.split('?')[0]}` });
  });

  app.get('/v1/models/*', async (req) => {
    const p = parsePath('GET', req.url);
    if (p.action === 'metadata') {
      const v = repository.resolve(p.model, p.selector);
      return modelMetadata(p.model, v.version, v.model);
    }
    if (p.action !== undefined) throw notFound(`Malformed request: GET ${req.url} (':${p.action}' needs POST)`);
    return {
      model_version_status: repository.status(p.model, p.selector).map((v) => ({
        version: String(v.version),
        state: v.state,
        status: v.error ? { error_code: 'UNKNOWN', error_message: v.error } : { error_code: 'OK', error_message: '' },
      })),
    };
  });

  app.post('/v1/models/*', async (req) => {
    const p = parsePath('POST', req.url);
    if (p.action !== 'predict') {
      throw p.action === 'classify' || p.action === 'regress'
        ? badRequest(`':${p.action}' needs a tf.Example signature; tsfx serves ':predict' only`)
        : notFound(`Malformed request: POST ${req.url}`);
    }
    // the clock starts once the body is read: reading it is bounded by bodyLimit, not by us
    const deadline = performance.now() + timeoutMs;
    // resolve first: an unknown model is a 404 whatever the body holds
    const v = repository.resolve(p.model, p.selector);
    const body = parseRequestJson(typeof req.body === 'string' ? req.body : '');
    return predict(v.model, body, {
      maxRows,
      deadline,
      timeoutMs,
      chunkRows: options.chunkRows,
      signal: options.signal,
    });
  });

  return app;
}

/** Start listening; port 0 picks a free port. The URL uses the address actually bound. */
export async function startServer(options: ServerOptions & { port: number; host: string }): Promise<RunningServer> {
  const stopping = new AbortController();
  options.signal?.addEventListener('abort', () => stopping.abort(), { once: true });
  const app = buildServer({ ...options, signal: stopping.signal });
  await app.listen({ port: options.port, host: options.host });
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const close = async (drainMs = DEFAULT_DRAIN_MS) => {
    // fastify's close waits for every in-flight request; past the drain bound, stop them
    const drain = setTimeout(() => {
      stopping.abort();
      // a response that still hasn't gone out a moment later loses its connection
      setTimeout(() => app.server.closeAllConnections(), 1000).unref();
    }, drainMs);
    try {
      await app.close();
    } finally {
      clearTimeout(drain);
    }
  };
  return { app, url: `http://${host}:${addr.port}`, close };
}
