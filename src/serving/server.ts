/**
 * The REST face of the ServingCore, speaking TF Serving's REST API as its handler does
 * (http_rest_api_handler.cc, http_rest_api_util.cc):
 *   GET  /v1/models/{m}[/versions/{v}|/labels/{l}]            status
 *   GET  /v1/models/{m}[/versions/{v}|/labels/{l}]/metadata   signature_def map
 *   POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict    row or columnar predict
 *   POST ...:classify | :regress                              tf.Example-style `examples` (+ `context`)
 * Any other path under /v1/ is TF Serving's 400 "Malformed request". Errors are `{"error": msg}`
 * with the HTTP status TF Serving maps their canonical code to. The verb rides on a colon, which
 * fastify's router reads as a parameter marker, so one wildcard route takes the tail.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { badRequest, ServingError, unauthenticated } from './http-errors.js';
import type { ModelRepository } from './model-repository.js';
import { predictResponseJson, tensorsOfPredictBody } from './json-tensor.js';
import { parseRequestJson } from './request-json.js';
import { examplesOfBody, classifyResponseJson, regressResponseJson, metadataJson, statusJson } from './rest-bodies.js';
import { PREDICT_METHOD } from './servable-loader.js';
import type { ModelSpec } from './servable.js';
import { DEFAULT_MAX_ROWS, RepositoryServingCore, type ServingCoreOptions } from './serving-core.js';
import { SIGNATURE_NAME } from './signature.js';

export interface ServerOptions {
  /** the core to serve; default: one over `repository` */
  core?: RepositoryServingCore;
  repository?: ModelRepository;
  /** hooks and limits for the default core (batching runner, metrics observer) */
  coreOptions?: ServingCoreOptions;
  /** largest request body accepted, bytes (413 past it) */
  bodyLimit?: number;
  /** most rows one request may hold */
  maxRows?: number;
  /** a request running longer answers 504, as TF Serving's --rest_api_timeout_in_ms (default 30 s) */
  timeoutMs?: number;
  /** rows per model.predict call for plain LayersModels: the event loop runs between chunks */
  chunkRows?: number;
  /** requests must carry `Authorization: Bearer <token>` (401 otherwise) */
  token?: string;
  /** the Prometheus page (GET /monitoring/prometheus/metrics), when metrics are on */
  metricsText?: () => string | Promise<string>;
  /** aborting it stops in-flight predicts at their next chunk with 503 (shutdown) */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_DRAIN_MS = 5_000;
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
export const PROMETHEUS_PATH = '/monitoring/prometheus/metrics';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  core: RepositoryServingCore;
  /**
   * Stop accepting requests, give in-flight ones `drainMs` to finish, then stop the rest at their
   * next chunk (503) and close every connection.
   */
  close(drainMs?: number): Promise<void>;
}

// TF Serving's own path patterns (kPredictionApiGegex, kModelStatusApiRegex), matched whole
const PREDICT_PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+)|\/labels\/([^/:]+))?:(classify|regress|predict)$/i;
const STATUS_PATH = /^\/v1\/models(?:\/([^/:]+))?(?:\/versions\/(\d+)|\/labels\/([^/:]+))?(?:\/(metadata))?$/i;

interface Route {
  spec: ModelSpec;
  /** predict | classify | regress | metadata | status */
  action: string;
}

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`Failed to decode ${what}:${s}`);
  }
}

function route(method: string, url: string): Route {
  const pathname = url.split('?')[0]!;
  const m = (method === 'POST' ? PREDICT_PATH : method === 'GET' ? STATUS_PATH : undefined)?.exec(pathname);
  if (!m) throw badRequest(`Malformed request: ${method} ${pathname}`);
  const [, model, version, label, action] = m;
  if (!model) throw badRequest('Missing model name in request.');
  const spec: ModelSpec = { name: decode(model, 'model name') };
  if (version !== undefined) {
    const v = Number(version);
    if (!Number.isSafeInteger(v)) throw badRequest(`Failed to convert version: ${version} to numeric.`);
    spec.version = v;
  }
  if (label !== undefined) spec.label = decode(label, 'model version label');
  if (spec.version !== undefined && spec.label !== undefined)
    throw badRequest(
      `Both model version (${spec.version}) and model version label (${spec.label}) cannot be supplied.`,
    );
  return { spec, action: (action ?? (method === 'GET' ? 'status' : '')).toLowerCase() };
}

const sameToken = (got: string, want: string) => {
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
};

function bodyObject(text: string): Record<string, unknown> {
  const body = parseRequestJson(text);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest(`JSON Value: ${text.slice(0, 64)} Is not object`);
  const b = body as Record<string, unknown>;
  if (b.signature_name !== undefined && typeof b.signature_name !== 'string')
    throw badRequest(`'signature_name' key must be a string value.`);
  return b;
}

/** Rows in a predict body, counted before any of it is checked or copied. */
function rowCount(body: Record<string, unknown>): number {
  const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if ('instances' in body) return length(body.instances);
  const inputs = body.inputs;
  return typeof inputs === 'object' && inputs !== null && !Array.isArray(inputs)
    ? Math.max(0, ...Object.values(inputs).map(length))
    : length(inputs);
}

const sendJson = (reply: FastifyReply, code: number, text: string) =>
  reply.code(code).header('content-type', 'application/json').send(text);
const errorJson = (message: string) => `{ "error": ${JSON.stringify(message)} }`;

export function buildServer(options: ServerOptions): { app: FastifyInstance; core: RepositoryServingCore } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!options.core && !options.repository) throw new Error('buildServer needs a core or a repository');
  const core =
    options.core ??
    new RepositoryServingCore(options.repository!, {
      maxRows,
      signal: options.signal,
      chunkRows: options.chunkRows,
      ...options.coreOptions,
    });
  const app = Fastify({ logger: false, bodyLimit });

  // TF Serving takes any content type (curl -d sends form-urlencoded); parse JSON ourselves so
  // a malformed body gets our message, not the framework's
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ServingError) {
      if (err.code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Bearer');
      return sendJson(reply, err.statusCode, errorJson(err.message));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendJson(
        reply,
        413,
        errorJson(`the request body is larger than this server's limit of ${bodyLimit} bytes (--body-limit)`),
      );
    const code = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    return sendJson(reply, code, errorJson(err.message));
  });
  app.setNotFoundHandler((req, reply) =>
    sendJson(reply, 404, errorJson(`Not found: ${req.method} ${req.url.split('?')[0]}`)),
  );

  if (options.token !== undefined) {
    const token = options.token;
    app.addHook('onRequest', async (req) => {
      // a browser's CORS preflight never carries credentials; the request it clears does
      if (req.method === 'OPTIONS') return;
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (!m) throw unauthenticated('missing bearer token: send "Authorization: Bearer <token>"');
      if (!sameToken(m[1]!.trim(), token)) throw unauthenticated('invalid bearer token');
    });
  }

  if (options.metricsText) {
    const page = options.metricsText;
    app.get(PROMETHEUS_PATH, async (_req, reply) => reply.header('content-type', 'text/plain').send(await page()));
  }

  const handle = async (method: string, url: string, body: string, reply: FastifyReply) => {
    const r = route(method, url);
    const api = r.action as 'predict' | 'classify' | 'regress' | 'metadata' | 'status';
    // the clock starts once the body is read: reading it is bounded by bodyLimit, not by us
    const text = await core.track(api, 'REST', r.spec.name, async () => {
      if (api === 'status') return { text: statusJson(core.status(r.spec)) };
      if (api === 'metadata') {
        const m = core.metadata(r.spec);
        return { answeredBy: m.answeredBy, text: metadataJson(m.answeredBy, m.signatures) };
      }
      const b = bodyObject(body);
      const spec: ModelSpec = { ...r.spec, signatureName: (b.signature_name as string | undefined) ?? '' };
      if (api === 'predict') {
        const rows = rowCount(b);
        if (rows > maxRows)
          throw badRequest(
            `the request has ${rows} rows; this server takes at most ${maxRows} rows per request (--max-rows)`,
          );
        const name = spec.signatureName || SIGNATURE_NAME;
        const { signatures } = core.metadata(spec);
        const sig = Object.hasOwn(signatures, name) ? signatures[name]! : undefined;
        if (!sig)
          throw badRequest(
            `Serving signature name: "${name}" not found in signature def (signatures: ${Object.keys(signatures).join(', ')})`,
          );
        // a classify/regress signature's input is serialized tf.Examples: the core says where to send them
        const { format, tensors } =
          sig.methodName === PREDICT_METHOD
            ? tensorsOfPredictBody(b, sig.inputs)
            : { format: 'row' as const, tensors: {} };
        const res = await core.predict({ spec, inputs: tensors, timeoutMs });
        return { answeredBy: res.answeredBy, text: predictResponseJson(res.outputs, format) };
      }
      const { examples, context } = examplesOfBody(b, api);
      if (api === 'classify') {
        const res = await core.classify({ spec, examples, context, timeoutMs });
        return { answeredBy: res.answeredBy, text: classifyResponseJson(res.results) };
      }
      const res = await core.regress({ spec, examples, context, timeoutMs });
      return { answeredBy: res.answeredBy, text: regressResponseJson(res.results) };
    });
    return sendJson(reply, 200, text.text);
  };

  app.all('/v1/*', async (req, reply) => {
    if (req.method === 'OPTIONS') {
      // TF Serving's CORS preflight: fine with an Origin, refused without
      if (!/https?:\/\//.test(req.headers.origin ?? ''))
        throw new ServingError('FAILED_PRECONDITION', 'Origin header is missing in CORS preflight');
      return reply.code(200).send();
    }
    return handle(req.method, req.url, typeof req.body === 'string' ? req.body : '', reply);
  });
  // the same API under any letter case, as TF Serving's (?i) patterns match it
  app.all('/V1/*', async (req, reply) =>
    handle(req.method, `/v1${req.url.slice(3)}`, typeof req.body === 'string' ? req.body : '', reply),
  );

  return { app, core };
}

/** Start listening; port 0 picks a free port. The URL uses the address actually bound. */
export async function startServer(options: ServerOptions & { port: number; host: string }): Promise<RunningServer> {
  const stopping = new AbortController();
  options.signal?.addEventListener('abort', () => stopping.abort(), { once: true });
  const { app, core } = buildServer({ ...options, signal: stopping.signal });
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
  return { app, url: `http://${host}:${addr.port}`, core, close };
}
