/**
 * Live per-node progress for `tsfx run`: a redrawn block on a terminal, one line per state
 * change otherwise (CI logs, pipes, a terminal that reports no size), so both stay readable.
 * Every node's line says what its executor's last heartbeat said: done/total with the unit and
 * a percentage, or done alone, and the message.
 */
import { createLogUpdate } from 'log-update';
import type { LiveProgress } from '../orchestration/client.js';
import type { NodeProgress } from '../orchestration/types.js';
import { compact, duration } from './format.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<NodeProgress['status'], string> = {
  PENDING: '·',
  RUNNING: '',
  CACHED: '↺',
  COMPLETE: '✔',
  FAILED: '✘',
  SKIPPED: '-',
  CANCELED: '⊘',
};

export interface ProgressView {
  update(p: LiveProgress): void;
  /** a line about the run as a whole (e.g. Temporal unreachable), kept above the node block */
  note(line: string): void;
  done(): void;
}

export function createProgressView(nodeOrder: string[], stream: NodeJS.WriteStream = process.stdout): ProgressView {
  // redrawing needs the terminal's width (log-update erases by counting wrapped lines)
  return stream.isTTY && (stream.columns ?? 0) > 0 ? new TerminalView(nodeOrder, stream) : new LineView(nodeOrder, stream);
}

function detail(id: string, node: NodeProgress, p: LiveProgress, now: number): string {
  const hb = p.heartbeats[id];
  const parts: string[] = [node.status];
  if (node.startedAt) parts.push(duration((node.finishedAt ?? now) - node.startedAt));
  if (node.status === 'RUNNING' && hb) {
    if (hb.total)
      parts.push(
        `${Math.floor((100 * (hb.done ?? 0)) / hb.total)}% ${compact(hb.done ?? 0)}/${compact(hb.total)} ${hb.unit ?? ''}`.trim(),
      );
    else if (hb.done !== undefined) parts.push(`${compact(hb.done)} ${hb.unit ?? ''}`.trim());
    if (hb.message && hb.message !== 'running') parts.push(hb.message);
    if (hb.attempt > 1) parts.push(`attempt ${hb.attempt}`);
  }
  if (node.shards && node.status === 'RUNNING') parts.push(`shards ${node.shards.done}/${node.shards.total}`);
  if (node.outputs)
    parts.push(
      Object.entries(node.outputs)
        .map(([k, v]) => `${k}=#${v}`)
        .join(' '),
    );
  if (node.error) parts.push(node.error);
  return parts.join('  ');
}

/** The block redrawn in place on the view's own stream (stderr under `tsfx run --json`, so stdout stays JSON). */
class TerminalView implements ProgressView {
  private frame = 0;
  private readonly draw: ReturnType<typeof createLogUpdate>;
  constructor(
    private readonly order: string[],
    private readonly stream: NodeJS.WriteStream,
  ) {
    this.draw = createLogUpdate(stream);
  }
  update(p: LiveProgress): void {
    const width = Math.max(...this.order.map((id) => id.length));
    const now = Date.now();
    this.frame = (this.frame + 1) % FRAMES.length;
    // a line never wraps: a wrapped line would be miscounted when the block is redrawn
    const columns = Math.max(20, (this.stream.columns ?? 80) - 1);
    const lines = this.order.map((id) => {
      const node = p.nodes[id] ?? { status: 'PENDING' as const };
      const mark = node.status === 'RUNNING' ? FRAMES[this.frame] : MARK[node.status];
      const line = `  ${mark} ${id.padEnd(width)}  ${detail(id, node, p, now)}`;
      return [...line].length > columns ? `${[...line].slice(0, columns - 1).join('')}…` : line;
    });
    this.last = lines.join('\n');
    this.draw(this.last);
  }
  private last = '';
  note(line: string): void {
    this.draw.clear();
    this.stream.write(`${line}\n`);
    if (this.last) this.draw(this.last);
  }
  done(): void {
    this.draw.done();
  }
}

class LineView implements ProgressView {
  private readonly last = new Map<string, string>();
  constructor(
    private readonly order: string[],
    private readonly stream: NodeJS.WritableStream,
  ) {}
  update(p: LiveProgress): void {
    for (const id of this.order) {
      const node = p.nodes[id];
      if (!node) continue;
      const hb = p.heartbeats[id];
      // a line per state change, and per 10% of reported progress
      const pct = node.status === 'RUNNING' && hb?.total ? Math.floor((10 * (hb.done ?? 0)) / hb.total) : -1;
      const key = `${node.status}:${pct}:${hb?.attempt ?? 1}`;
      if (this.last.get(id) === key) continue;
      this.last.set(id, key);
      this.stream.write(`  ${MARK[node.status] || '>'} ${id}  ${detail(id, node, p, Date.now())}\n`);
    }
  }
  note(line: string): void {
    this.stream.write(`${line}\n`);
  }
  done(): void {}
}
