/**
 * parquet-wasm on a helper thread. Its Rust code panics on some corrupt input (a garbled page
 * header, say), and a panic inside its async reader surfaces as a WebAssembly trap thrown from a
 * promise callback: an uncaught exception that would end the whole worker process, and a trapped
 * instance isn't safe to call again. On a thread of its own the trap ends that thread only: the
 * file being read fails with an error, and the next file gets a new thread. It also decodes one
 * row group ahead while the caller turns the previous one into rows. Files read at the same time
 * (two ExampleGens on one worker) share the thread: a crash then can't say whose file it was.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain JS evaluated in the worker, so it runs the same under tsx, vitest or compiled code.
const WORKER_SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const pw = require(workerData.parquetWasm);
const files = new Map();
const message = (e) => (e instanceof Error ? e.message : String(e));
async function handle(m) {
  if (m.op === 'open') {
    const pf = await pw.ParquetFile.fromFile(await fs.openAsBlob(m.file));
    files.set(m.id, pf);
    const meta = pf.metadata();
    const groups = meta.rowGroups().map((g) => {
      const out = { rows: g.numRows(), bytes: g.compressedSize() };
      g.free();
      return out;
    });
    meta.free();
    const schema = pf.schema().intoIPCStream();
    return { groups, schema };
  }
  if (m.op === 'read') {
    const table = await files.get(m.handle).read({ rowGroups: [m.group], batchSize: m.batchRows });
    return { ipc: table.intoIPCStream() };
  }
  if (m.op === 'close') {
    files.get(m.handle)?.free();
    files.delete(m.handle);
    return {};
  }
  throw new Error('unknown op ' + m.op);
}
parentPort.on('message', (m) => {
  handle(m).then(
    (r) => {
      const ipc = r.ipc ?? r.schema;
      // a copy out of the wasm heap, then moved (not copied again) to the caller
      const buf = ipc ? ipc.slice().buffer : undefined;
      parentPort.postMessage({ id: m.id, ...r, ...(r.ipc ? { ipc: buf } : {}), ...(r.schema ? { schema: buf } : {}) }, buf ? [buf] : []);
    },
    (e) => parentPort.postMessage({ id: m.id, error: message(e) }),
  );
});
`;

export interface RowGroupInfo {
  rows: number;
  /** compressed bytes */
  bytes: number;
}

type Reply = { id: number; error?: string; groups?: RowGroupInfo[]; schema?: ArrayBuffer; ipc?: ArrayBuffer };

/** A failure of the decoder itself (a trap, the thread gone), not an error it reported. */
export class DecoderCrash extends Error {
  override name = 'DecoderCrash';
  constructor(
    message: string,
    /** other files were being read on the thread too, so this one may not be the culprit */
    readonly shared: boolean,
  ) {
    super(message);
  }
}

/** A thread idle this long ends, giving back its WebAssembly heap (sized by the largest row group read). */
const IDLE_MS = 1000;

interface Pending {
  op: string;
  done: (r: Reply | Error) => void;
}

/** One helper thread, started on first use, replaced after a crash, ended when idle. */
class DecoderThread {
  private worker: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const parquetWasm = createRequire(import.meta.url).resolve('parquet-wasm');
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { parquetWasm } });
    w.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.whenIdle(w);
      p?.done(m);
    });
    const fail = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      clearTimeout(this.idle);
      const reading = [...this.pending.values()].filter((p) => p.op !== 'close').length;
      for (const p of this.pending.values()) p.done(new DecoderCrash(why, reading > 1));
      this.pending.clear();
      void w.terminate();
    };
    w.on('error', (e) => fail(`parquet-wasm crashed (${e.name}: ${e.message})`));
    w.on('exit', (code) => fail(`the Parquet decoder thread exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private whenIdle(w: Worker): void {
    w.unref();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.worker !== w || this.pending.size) return;
      this.worker = undefined;
      void w.terminate();
    }, IDLE_MS);
    this.idle.unref();
  }

  request(msg: { op: string } & Record<string, unknown>): Promise<Reply> {
    clearTimeout(this.idle);
    const w = this.start();
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => {
      const done = (r: Reply | Error) => (r instanceof Error ? reject(r) : r.error !== undefined ? reject(new Error(r.error)) : resolve(r));
      this.pending.set(id, { op: msg.op, done });
    });
    w.ref();
    w.postMessage({ ...msg, id });
    return reply;
  }

  /** The thread in use now (tests end it to check that a crash only fails the file being read). */
  get current(): Worker | undefined {
    return this.worker;
  }
}

export const decoderThread = new DecoderThread();

/** A Parquet file open in the decoder thread. */
export class ParquetSource {
  private constructor(
    private readonly handle: number,
    readonly groups: RowGroupInfo[],
    /** the file's Arrow schema as an IPC stream with no batches */
    readonly schemaIpc: Uint8Array,
  ) {}

  static async open(file: string): Promise<ParquetSource> {
    // the open request's id is the file's handle in the thread
    const r = await decoderThread.request({ op: 'open', file });
    return new ParquetSource(r.id, r.groups!, new Uint8Array(r.schema!));
  }

  /** Row group `group` decoded to an Arrow IPC stream of batches of at most `batchRows` rows. */
  async read(group: number, batchRows: number): Promise<Uint8Array> {
    const r = await decoderThread.request({ op: 'read', handle: this.handle, group, batchRows });
    return new Uint8Array(r.ipc!);
  }

  async close(): Promise<void> {
    await decoderThread.request({ op: 'close', handle: this.handle }).catch(() => undefined);
  }
}
