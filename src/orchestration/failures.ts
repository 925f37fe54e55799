/**
 * The error boundary between tsfx and Temporal: definition and data errors become
 * non-retryable ApplicationFailures (retrying can't fix the input); anything else stays
 * retryable (I/O, a lost connection, a crashed process).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { TsfxError } from '../errors.js';

export function toFailure(err: unknown, nodeId: string): unknown {
  if (err instanceof TsfxError && !err.retryable) {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, cause: err });
  }
  if (err instanceof Error && err.name === 'ZodError') {
    return ApplicationFailure.create({
      message: `${nodeId}: ${err.message}`,
      type: 'DefinitionError',
      nonRetryable: true,
    });
  }
  return err;
}

/** Run an activity body, mapping what it throws through toFailure. */
export async function mapFailures<T>(nodeId: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toFailure(err, nodeId);
  }
}
