// Bundled for the browser test: applies a graph to rows in the page, prints the columns as JSON.
import { applyTransform, rawBatchFromRows, TransformGraph } from '../../../../src/ml/transform/index.js';

const w = globalThis as unknown as { GRAPH: unknown; ROWS: Record<string, unknown>[]; document: { body: { textContent: string } } };
try {
  const out = applyTransform(TransformGraph.parse(w.GRAPH), rawBatchFromRows(w.ROWS));
  w.document.body.textContent = JSON.stringify(Object.fromEntries(Object.entries(out.columns).map(([k, c]) => [k, Array.from(c.values as ArrayLike<number | string>)])));
} catch (e) {
  w.document.body.textContent = JSON.stringify({ error: String(e) });
}
