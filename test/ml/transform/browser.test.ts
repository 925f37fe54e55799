/**
 * The transform runtime in a real browser (Debian's chromium, headless): bundled with esbuild for
 * the browser platform (so a node: import would fail the build), it applies a graph made in Node
 * to raw rows and must give exactly Node's values, hashes and crosses included.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeBatches, applyTransform, rawBatchFromRows, tracePreprocessing } from '../../../src/ml/transform/index.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const work = mkdtempSync(path.join(tmpdir(), 'tsfx-browser-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rows = [
  { bill: 39.1, island: 'Torgersen', sex: 'male' },
  { bill: null, island: 'Biscoe', sex: 'female' },
  { bill: 46.5, island: 'Dream', sex: 'female' },
  { bill: 50, island: 'Biscoe', sex: 'male' },
  { bill: 41.2, island: 'Atlantis', sex: 'male' },
];

describe.skipIf(!chromium)('transform runtime in headless chromium', () => {
  it('gives the same columns as Node', async () => {
    const spec = tracePreprocessing((f) => ({
      bill: f.zScore(f.fillMissing('bill', f.mean('bill'))),
      b01: f.scale01(f.fillMissing('bill', 45)),
      island: f.vocabulary('island', { topK: 2, numOovBuckets: 3 }),
      hot: f.oneHot(f.vocabulary('sex')),
      h: f.hashStrings('island', 1000),
      x: f.cross(['island', 'sex'], 50),
      q: f.bucketize(f.fillMissing('bill', 0), 3),
    }));
    const graph = analyzeBatches(spec, () => [rawBatchFromRows(rows.slice(0, 4))]);
    const node = applyTransform(graph, rawBatchFromRows(rows));
    const bundle = path.join(work, 'transform.js');
    await run(path.join(repo, 'node_modules/.bin/esbuild'), [path.join(repo, 'test/ml/transform/browser/entry.ts'), '--bundle', '--platform=browser', '--format=iife', `--outfile=${bundle}`], { cwd: repo });
    const html = path.join(work, 'index.html');
    writeFileSync(html, `<!doctype html><html><body><script>window.GRAPH=${JSON.stringify(graph)};window.ROWS=${JSON.stringify(rows)};</script><script src="transform.js"></script></body></html>`);
    const { stdout } = await run(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${path.join(work, 'profile')}`, '--dump-dom', `file://${html}`], { maxBuffer: 16 << 20, timeout: 120_000 });
    const text = /<body>([\s\S]*?)<\/body>/.exec(stdout)?.[1] ?? stdout;
    const inBrowser = JSON.parse(text.replace(/<script[\s\S]*?<\/script>/g, '').trim()) as Record<string, unknown[]>;
    expect(inBrowser).not.toHaveProperty('error');
    const want = Object.fromEntries(Object.entries(node.columns).map(([k, c]) => [k, Array.from(c.values as ArrayLike<number | string>)]));
    expect(inBrowser).toEqual(want);
  }, 180_000);
});
