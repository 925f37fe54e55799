/**
 * TF Serving's `--batching_parameters_file`: a BatchingParameters message in protobuf text
 * format, each knob a wrapper (`max_batch_size { value: 128 }`), so a file written for
 * tensorflow_model_server configures `tsfx serve` unchanged. Only the subset of the text format
 * such files use is read: fields, `{ }`/`< >` sub-messages, an optional ':', '#' comments.
 */
import { DataError } from '../errors.js';
import type { BatchingParameters } from './batching-types.js';

type Kind = 'int' | 'bool' | 'string';
const FIELDS: Record<string, [keyof BatchingParameters | 'threadPoolName', Kind]> = {
  max_batch_size: ['maxBatchSize', 'int'],
  batch_timeout_micros: ['batchTimeoutMicros', 'int'],
  max_enqueued_batches: ['maxEnqueuedBatches', 'int'],
  num_batch_threads: ['numBatchThreads', 'int'],
  enable_large_batch_splitting: ['enableLargeBatchSplitting', 'bool'],
  max_execution_batch_size: ['maxExecutionBatchSize', 'int'],
  thread_pool_name: ['threadPoolName', 'string'],
};
/** BatchingSession options tsfx does not implement: it never pads a batch */
const UNSUPPORTED = new Set(['allowed_batch_sizes', 'pad_variable_length_inputs']);

export interface BatchingFile extends BatchingParameters {
  /** the batch threads' name (a label of the queuing_latency metric) */
  threadPoolName?: string;
}

interface Token {
  text: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '');
    for (const m of line.matchAll(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{}<>:]|[^\s{}<>:]+/g))
      tokens.push({ text: m[0], line: i + 1 });
  });
  return tokens;
}

function scalar(tok: Token, kind: Kind, file: string, field: string): number | boolean | string {
  const where = `line ${tok.line}`;
  if (kind === 'int') {
    if (!/^-?\d+$/.test(tok.text)) throw new DataError(`${field}: expected an integer, got '${tok.text}'`, file, where);
    return Number(tok.text);
  }
  if (kind === 'bool') {
    if (tok.text === 'true' || tok.text === '1') return true;
    if (tok.text === 'false' || tok.text === '0') return false;
    throw new DataError(`${field}: expected true or false, got '${tok.text}'`, file, where);
  }
  if (!/^["']/.test(tok.text))
    throw new DataError(`${field}: expected a quoted string, got '${tok.text}'`, file, where);
  return tok.text.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Parse a BatchingParameters text proto; `file` names it in errors. */
export function parseBatchingParameters(text: string, file: string): BatchingFile {
  const tokens = tokenize(text);
  const out: Record<string, unknown> = {};
  let i = 0;
  const next = (what: string): Token => {
    const t = tokens[i++];
    if (!t) throw new DataError(`unexpected end of file, expected ${what}`, file);
    return t;
  };
  while (i < tokens.length) {
    const name = next('a field name');
    if (UNSUPPORTED.has(name.text))
      throw new DataError(
        `${name.text} is not supported: tsfx never pads batches; remove it`,
        file,
        `line ${name.line}`,
      );
    const field = FIELDS[name.text];
    if (!field)
      throw new DataError(
        `unknown BatchingParameters field '${name.text}' (known: ${Object.keys(FIELDS).join(', ')})`,
        file,
        `line ${name.line}`,
      );
    let t = next(`':' or '{' after ${name.text}`);
    if (t.text === ':') t = next(`'{' after ${name.text}`);
    const close = t.text === '{' ? '}' : t.text === '<' ? '>' : undefined;
    if (!close) throw new DataError(`${name.text}: expected '{ value: ... }', got '${t.text}'`, file, `line ${t.line}`);
    const key = next(`'value' inside ${name.text}`);
    if (key.text !== 'value')
      throw new DataError(`${name.text}: expected 'value', got '${key.text}'`, file, `line ${key.line}`);
    if (next(`':' after value`).text !== ':')
      throw new DataError(`${name.text}: expected ':' after value`, file, `line ${key.line}`);
    out[field[0]] = scalar(next(`the value of ${name.text}`), field[1], file, name.text);
    const end = next(`'${close}'`);
    if (end.text !== close)
      throw new DataError(`${name.text}: expected '${close}', got '${end.text}'`, file, `line ${end.line}`);
  }
  return out as BatchingFile;
}
