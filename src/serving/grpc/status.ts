/**
 * Errors as gRPC statuses. A ServingError carries the canonical code TF Serving would answer
 * (NOT_FOUND for an unknown model, INVALID_ARGUMENT for a bad tensor, RESOURCE_EXHAUSTED for a
 * full batch queue, ...) and the gRPC face sends it as is; an error that is not a ServingError is
 * the server's fault, INTERNAL.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { badRequest, ServingError } from '../http-errors.js';
import type { GrpcCodeName } from '../servable.js';

/** A request's own fault (bad tensor, bad spec): INVALID_ARGUMENT. */
export const invalidArgument = (message: string): ServingError => badRequest(message);

/** The canonical code name of any error thrown while answering: a ServingError's own, else INTERNAL. */
export function codeNameOf(err: unknown): GrpcCodeName {
  return err instanceof ServingError ? err.code : 'INTERNAL';
}

/** The ServiceError grpc-js sends for `err`: code and message (TF Serving puts its text in details). */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const code = codeNameOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { code: status[code], details: code === 'INTERNAL' ? `internal error: ${message}` : message };
}
