/** Ports of the chaos suite's own servers, from the checkout's path (two clones never share them). */
import { createHash } from 'node:crypto';
import path from 'node:path';

export function chaosPorts(kind: 'test' | 'long'): { temporal: number; postgres: number } {
  const h = createHash('sha256').update(path.resolve('.')).digest().readUInt16BE(0) % 900;
  // the dev server's UI takes port + 1000, so the two kinds' ranges stay 2000 apart
  return kind === 'test' ? { temporal: 33_000 + h, postgres: 56_000 + h } : { temporal: 35_000 + h, postgres: 57_000 + h };
}
