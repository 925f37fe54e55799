/**
 * A pool of worker threads that compute shard partials, like a fleet of StatisticsGen
 * workers each taking the next shard activity. Workers load their modules before start()
 * resolves: a Temporal worker is already running when a shard activity reaches it.
 */
import { Worker } from 'node:worker_threads';

type Reply = { file: string; bytes: Uint8Array } | { file: string; error: string };

// tsx hooks are not inherited by worker threads, so each one registers them before importing the .ts entry
const entry = new URL('./stats-worker.ts', import.meta.url).href;
const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;

export class PartialPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(size: number): Promise<PartialPool> {
    const workers = await Promise.all(
      Array.from({ length: size }, () => {
        const w = new Worker(source, { eval: true });
        return new Promise<Worker>((resolve, reject) => {
          w.once('message', () => resolve(w));
          w.once('error', reject);
        });
      }),
    );
    return new PartialPool(workers);
  }

  /** The encoded partial of each file, in the files' order; each idle worker takes the next file. */
  async run(files: string[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = new Array(files.length);
    let next = 0;
    const drain = async (w: Worker): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        const reply = await new Promise<Reply>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
          w.postMessage(files[i]);
        });
        w.removeAllListeners('error');
        if ('error' in reply) throw new Error(`shard ${reply.file}: ${reply.error}`);
        out[i] = reply.bytes;
      }
    };
    await Promise.all(this.workers.map(drain));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
