/** Errors that map onto an HTTP status; the server answers them as TF Serving does, `{"error": message}`. */
import { TsfxError } from '../errors.js';

export class ServingError extends TsfxError {
  override name = 'ServingError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ServingError(400, message);
export const notFound = (message: string) => new ServingError(404, message);
/** more rows than the server takes in one request: the body itself was fine to read */
export const tooLarge = (message: string) => new ServingError(413, message);
/** the server is draining for shutdown (TF Serving's UNAVAILABLE) */
export const unavailable = (message: string) => new ServingError(503, message);
/** the request ran past its deadline (TF Serving's DEADLINE_EXCEEDED) */
export const deadlineExceeded = (message: string) => new ServingError(504, message);
