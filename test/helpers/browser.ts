/**
 * Headless Chromium for browser tests: Debian's chromium (scripts/browser.sh installs it when
 * missing) driven by playwright-core, which downloads no browser of its own. A harness serves the
 * tsfx bundle, a page that imports it and the folders a test mounts from one 127.0.0.1 server,
 * and lets the page reach nothing else: every other request is aborted and recorded.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import type * as BrowserModule from '../../src/ml/browser/index.js';
import { browserBundle, wasmBinariesDir } from './browser-bundle.js';
import { type StaticServer, startStaticServer } from './static-server.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A Chromium binary, or why there is none (scripts/browser.sh exit 3: not installable here). */
export type ChromiumLookup = { path: string } | { skip: string };

/**
 * Run scripts/browser.sh (installs Debian's chromium when missing; instant once installed). Not
 * installable here gives `{ skip }` with the script's reason; a Chromium that does not run throws.
 */
export function findChromium(): ChromiumLookup {
  const run = spawnSync('bash', [path.join(repoRoot, 'scripts/browser.sh')], { encoding: 'utf8', timeout: 900_000 });
  const reason = run.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${run.status}`;
  if (run.status === 0) return { path: run.stdout.trim().split('\n').pop()! };
  if (run.status === 3) return { skip: `no Chromium for the browser tests: ${reason.replace(/^\[browser\] /, '')}` };
  throw new Error(`scripts/browser.sh failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}`);
}

/**
 * Launch headless Chromium. The host resolver maps every name but 127.0.0.1 to nothing, so even a
 * request the page guard missed (a service worker, a prefetch) cannot leave the machine.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--no-first-run', '--disable-sync'],
  });
}

/** The page every harness serves at `/`: it imports the bundle and exposes it as `globalThis.tsfx`. */
export const HARNESS_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>tsfx browser harness</title></head>
<body><script type="module">
import * as tsfx from '/tsfx-browser.js';
globalThis.tsfx = tsfx;
</script></body></html>
`;

/** The default bundle's exports, as page code sees them in `globalThis.tsfx`. */
export type BrowserTsfx = typeof BrowserModule;

/**
 * The bundle's exports inside `page.evaluate` callbacks, which run in the page and so reach them
 * only through its globals: `(globalThis as unknown as TsfxGlobal).tsfx.loadPredictor(...)`.
 * `T` is the entry's module type when a test bundles its own entry.
 */
export interface TsfxGlobal<T = BrowserTsfx> {
  tsfx: T;
}

/** URL prefix under which the harness serves tfjs-backend-wasm's .wasm files. */
export const WASM_PREFIX = '/tfjs-wasm/';

export interface Harness {
  page: Page;
  server: StaticServer;
  /** `http://127.0.0.1:<port>`: the only origin the page may reach */
  origin: string;
  /** every URL the page requested, allowed or not */
  requests: string[];
  /** requests aborted because they went elsewhere than `origin` */
  blocked: string[];
  /** console errors and uncaught page errors, for failure messages */
  errors: string[];
  close(): Promise<void>;
}

/** data: and blob: URLs never touch the network (the wasm backend may make its worker from a blob) */
const local = (url: string, origin: string) =>
  url.startsWith(origin + '/') || url.startsWith('data:') || url.startsWith('blob:');

export interface HarnessOptions {
  /** URL prefix -> folder, e.g. `{ '/model/': modelDir }` */
  folders?: Record<string, string>;
  /** the bundle's entry module; default src/ml/browser/index.ts (see browserBundle) */
  entry?: string;
}

/**
 * Serve the bundle at `/tsfx-browser.js`, {@link HARNESS_PAGE} at `/`, the wasm binaries under
 * {@link WASM_PREFIX} and the given folders; open the page in a fresh context of `browser` and
 * wait until `globalThis.tsfx` is set. `close()` closes the context and the server.
 */
export async function openHarness(browser: Browser, options: HarnessOptions = {}): Promise<Harness> {
  const { folders = {}, entry } = options;
  const server = await startStaticServer({
    documents: { '/': HARNESS_PAGE, '/tsfx-browser.js': await browserBundle(entry) },
    folders: { [WASM_PREFIX]: wasmBinariesDir(), ...folders },
  });
  const { origin } = server;
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const requests: string[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => void errors.push(`page: ${e.message}`));
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    requests.push(url);
    if (local(url, origin)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const close = async () => {
    await context.close();
    await server.close();
  };
  try {
    await page.goto(origin + '/');
    await page.waitForFunction(() => (globalThis as { tsfx?: unknown }).tsfx !== undefined, undefined, {
      timeout: 30_000,
    });
  } catch (err) {
    await close();
    throw new Error(`the harness page did not load: ${(err as Error).message}; ${errors.join('; ')}`);
  }
  return { page, server, origin, requests, blocked, errors, close };
}
