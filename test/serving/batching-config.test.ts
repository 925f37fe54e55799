import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { parseBatchingParameters } from '../../src/serving/batching-config.js';

describe('parseBatchingParameters', () => {
  it('reads a tensorflow_model_server --batching_parameters_file', () => {
    const text = [
      '# tuned for CPU',
      'max_batch_size { value: 64 }',
      'batch_timeout_micros: { value: 2500 }',
      'max_enqueued_batches < value: 100 >',
      'num_batch_threads { value: 2 } enable_large_batch_splitting { value: true }',
      'max_execution_batch_size { value: 32 }',
      'thread_pool_name { value: "penguin_batch_threads" }',
    ].join('\n');
    expect(parseBatchingParameters(text, 'batching.txt')).toEqual({
      maxBatchSize: 64,
      batchTimeoutMicros: 2500,
      maxEnqueuedBatches: 100,
      numBatchThreads: 2,
      enableLargeBatchSplitting: true,
      maxExecutionBatchSize: 32,
      threadPoolName: 'penguin_batch_threads',
    });
    expect(parseBatchingParameters('', 'empty.txt')).toEqual({});
  });

  it('names the file, line and field of what it cannot take', () => {
    const bad = (text: string) => {
      try {
        parseBatchingParameters(text, 'b.txt');
      } catch (err) {
        expect(err).toBeInstanceOf(DataError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad('max_batch_size { value: 8 }\nmax_batch_sise { value: 8 }')).toMatch(
      /^b\.txt line 2: unknown BatchingParameters field 'max_batch_sise'/,
    );
    expect(bad('max_batch_size { value: lots }')).toBe("b.txt line 1: max_batch_size: expected an integer, got 'lots'");
    expect(bad('allowed_batch_sizes: 8')).toMatch(/allowed_batch_sizes is not supported/);
    expect(bad('max_batch_size { value: 8')).toBe("b.txt: unexpected end of file, expected '}'");
  });
});
