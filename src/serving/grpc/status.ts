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

/** for a ServingError that still carries only its HTTP status (TF Serving's table, reversed) */
const CODE_OF_HTTP: Record<number, GrpcCodeName> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'RESOURCE_EXHAUSTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The canonical code name of any error thrown while answering. */
export function codeNameOf(err: unknown): GrpcCodeName {
  if (!(err instanceof ServingError)) return 'INTERNAL';
  const named = (err as { code?: unknown }).code;
  if (typeof named === 'string' && named in status) return named as GrpcCodeName;
  // a ServingError made with an HTTP status (the older constructor) carries that number
  const http = typeof named === 'number' ? named : err.statusCode;
  return CODE_OF_HTTP[http] ?? 'UNKNOWN';
}

/** The ServiceError grpc-js sends for `err`: code and message (TF Serving puts its text in details). */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const code = codeNameOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { code: status[code], details: code === 'INTERNAL' ? `internal error: ${message}` : message };
}
