/**
 * The browser bundle, built with esbuild at test time from src/ml/browser/index.ts: one ES module
 * holding tfjs and tsfx's browser runtime, so a page needs nothing but its own server. Built for
 * the browser platform: a `node:` import anywhere below the entry fails the build, naming it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

/** The bundle's entry module. */
export const BROWSER_ENTRY = path.join(repoRoot, 'src/ml/browser/index.ts');

/** The folder holding tfjs-backend-wasm's .wasm binaries (the version the bundle's JS expects). */
export function wasmBinariesDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

const built = new Map<string, Promise<string>>();

/**
 * The JavaScript of a bundle (an ES module exporting what its entry exports), built once per
 * process and entry. The default entry is tsfx's browser runtime; a test may bundle an entry of
 * its own that re-exports it next to fixtures the page needs.
 */
export function browserBundle(entry: string = BROWSER_ENTRY): Promise<string> {
  const from = path.resolve(entry);
  let js = built.get(from);
  if (!js) {
    js = build({
      entryPoints: [from],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      // tfjs's packages check it to strip debug paths
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text);
    built.set(from, js);
  }
  return js;
}
