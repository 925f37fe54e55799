/**
 * Serving errors carry the canonical gRPC status code TF Serving would return; the REST face
 * turns that code into an HTTP status with TF Serving's own table (http_server.cc's
 * ToHTTPStatusCode), and answers `{"error": message}`. The gRPC face sends the code as is.
 */
import { TsfxError } from '../errors.js';
import type { GrpcCodeName } from './servable.js';

/** TF Serving's ToHTTPStatusCode: canonical code -> HTTP status. */
export const HTTP_STATUS_OF: Record<GrpcCodeName, number> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

/** grpc-js `status` numbers, for the gRPC face. */
export const GRPC_CODE_NUMBER: Record<GrpcCodeName, number> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/**
 * The canonical code of an HTTP status: HTTP_STATUS_OF read backwards, taking the first code in
 * TF's order where several share a status (500 is UNKNOWN before INTERNAL and DATA_LOSS). 413,
 * which no canonical code maps to, is tsfx's own resource limit (body too large).
 */
export function codeOfHttpStatus(status: number): GrpcCodeName {
  if (status === 413) return 'RESOURCE_EXHAUSTED';
  const first = (Object.keys(HTTP_STATUS_OF) as GrpcCodeName[]).find((c) => HTTP_STATUS_OF[c] === status);
  return first ?? 'UNKNOWN';
}

export class ServingError extends TsfxError {
  override name = 'ServingError';
  constructor(
    readonly code: GrpcCodeName,
    message: string,
  ) {
    super(message);
  }

  /** the HTTP status TF Serving's REST handler answers this code with */
  get statusCode(): number {
    return HTTP_STATUS_OF[this.code];
  }
}

/** The canonical code of any error: ServingError's own, UNKNOWN (HTTP 500) for the rest. */
export const codeOf = (err: unknown): GrpcCodeName => (err instanceof ServingError ? err.code : 'UNKNOWN');

export const badRequest = (message: string) => new ServingError('INVALID_ARGUMENT', message);
export const notFound = (message: string) => new ServingError('NOT_FOUND', message);
export const failedPrecondition = (message: string) => new ServingError('FAILED_PRECONDITION', message);
/** a queue or row limit that waiting may clear (429) */
export const resourceExhausted = (message: string) => new ServingError('RESOURCE_EXHAUSTED', message);
/** the server is draining for shutdown */
export const unavailable = (message: string) => new ServingError('UNAVAILABLE', message);
/** the request ran past its deadline */
export const deadlineExceeded = (message: string) => new ServingError('DEADLINE_EXCEEDED', message);
export const unauthenticated = (message: string) => new ServingError('UNAUTHENTICATED', message);
