/**
 * A small HTTP server on 127.0.0.1 for browser tests: fixed documents (the page, the bundle) and
 * folders mounted under URL prefixes (a Model folder, tfjs-backend-wasm's binaries). GET and HEAD
 * only; a path leaving its folder, or naming no regular file, is a 404. Every request is logged.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

export interface StaticServerOptions {
  /** exact URL paths to bodies, e.g. `{ '/': html, '/bundle.js': js }`; the type from the extension (`/` is HTML) */
  documents?: Record<string, string | Uint8Array>;
  /** URL prefixes (`/model/`) to folders whose files they serve */
  folders?: Record<string, string>;
  /** extra response headers, e.g. COOP/COEP for a cross-origin isolated page */
  headers?: Record<string, string>;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** every request as `METHOD /path status`, in arrival order */
  log: string[];
  close(): Promise<void>;
}

const typeOf = (p: string) =>
  p.endsWith('/') ? types['.html']! : (types[path.extname(p)] ?? 'application/octet-stream');

async function fileIn(root: string, rel: string): Promise<Buffer | undefined> {
  const base = await fs.realpath(root);
  const file = path.resolve(base, rel);
  if (file !== base && !file.startsWith(base + path.sep)) return undefined;
  const real = await fs.realpath(file).catch(() => undefined);
  if (!real || !real.startsWith(base + path.sep)) return undefined;
  const st = await fs.stat(real);
  return st.isFile() ? fs.readFile(real) : undefined;
}

/** Start serving; `close()` ends open connections too, so a test's teardown never waits. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const log: string[] = [];
  const documents = options.documents ?? {};
  const folders = Object.entries(options.folders ?? {});
  const lookup = async (pathname: string): Promise<string | Uint8Array | undefined> => {
    if (pathname in documents) return documents[pathname];
    for (const [prefix, dir] of folders)
      if (pathname.startsWith(prefix)) return fileIn(dir, decodeURIComponent(pathname.slice(prefix.length)));
    return undefined;
  };
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const reply = (status: number, body: string | Uint8Array, type: string) => {
      log.push(`${req.method} ${pathname} ${status}`);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...options.headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'GET or HEAD only', 'text/plain');
    lookup(pathname).then(
      (body) => (body === undefined ? reply(404, `no ${pathname}`, 'text/plain') : reply(200, body, typeOf(pathname))),
      (err: unknown) => reply(500, String(err), 'text/plain'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
