/**
 * Whether an error from Temporal's client means "the server is not there right now" (down,
 * restarting, network gone) rather than a real answer. The SDK retries such calls for ~20 s and
 * then throws; a caller that should outlive a longer outage waits and asks again.
 */

/** gRPC status codes (grpc-js is the SDK's dependency, not ours) */
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;
const TRANSPORT = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|No connection established|Connection dropped|socket hang up/i;

export function isTemporalUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED) return true;
    const text = `${(e as { message?: string }).message ?? ''} ${(e as { details?: string }).details ?? ''}`;
    if (TRANSPORT.test(text)) return true;
  }
  return false;
}
