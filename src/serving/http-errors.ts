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
