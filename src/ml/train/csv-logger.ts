/**
 * Keras' CSVLogger: one row per epoch, columns `epoch` and the logs' keys in sorted order
 * (accuracy, learning_rate, loss, val_accuracy, val_loss), a missing value as `NA`.
 * On a resume the file is rewritten from the checkpoint's history, so an epoch that ran after
 * the last checkpoint and is run again appears once, not twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Callback, TrainContext } from './callbacks.js';
import type { HistoryEntry, Logs } from './checkpoint.js';

export interface CsvLoggerOptions {
  file: string;
  separator?: string;
}

export class CsvLogger implements Callback {
  readonly name = 'csv-logger';
  private keys: string[] | undefined;

  constructor(private readonly o: CsvLoggerOptions) {}

  private line(cells: (string | number)[]): string {
    return cells.join(this.o.separator ?? ',') + '\n';
  }

  private row(e: HistoryEntry): string {
    return this.line([e.epoch, ...this.keys!.map((k) => (k in e.logs ? String(e.logs[k]) : 'NA'))]);
  }

  async onTrainBegin(ctx: TrainContext): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.o.file), { recursive: true });
    const done = ctx.history.filter((e) => e.epoch < ctx.initialEpoch);
    this.keys = done.length ? Object.keys(done[0]!.logs).sort() : undefined;
    const text = this.keys ? this.line(['epoch', ...this.keys]) + done.map((e) => this.row(e)).join('') : '';
    await fs.promises.writeFile(this.o.file, text);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    let text = '';
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      text = this.line(['epoch', ...this.keys]);
    }
    await fs.promises.appendFile(this.o.file, text + this.row({ epoch, logs }));
  }
}
