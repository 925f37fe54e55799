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
import { predict } from './predict.js';
import { modelMetadata } from './signature.js';

export interface ServerOptions {
  repository: ModelRepository;
  /** largest request body accepted, bytes */
  bodyLimit?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
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
    // resolve first: an unknown model is a 404 whatever the body holds
    const v = repository.resolve(p.model, p.selector);
    const text = typeof req.body === 'string' ? req.body : '';
    if (!text.trim()) throw badRequest('the request body is empty; expected JSON with "instances" or "inputs"');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw badRequest(`malformed JSON in the request body: ${(err as Error).message}`);
    }
    return predict(v.model, body);
  });

  return app;
}

/** Start listening; port 0 picks a free port. The URL uses the address actually bound. */
export async function startServer(options: ServerOptions & { port: number; host: string }): Promise<RunningServer> {
  const app = buildServer(options);
  await app.listen({ port: options.port, host: options.host });
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return { app, url: `http://${host}:${addr.port}`, close: () => app.close() };
}
