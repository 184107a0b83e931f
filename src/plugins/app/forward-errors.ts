// What a client hears when a call forwarded to a VM's owner gets no answer from it: a 502 or
// 504 problem with Retry-After, saying whether the call may have been applied. Only a refused
// connection proves it was not: a reset or a timeout may come after the owner committed it
// (a paused owner may even commit it when it resumes, if it still holds the lease).
import { ServiceError } from '../../service/errors.js';

/** The owner's lease expires (or HAProxy stops sending calls to it) within the lease time: worth retrying soon. */
const RETRY_SECONDS = 1;

const MAY_BE_APPLIED =
  'it may or may not have been applied: before repeating a call that changes the VM, read GET /v1/vms/{vmId}/operations to see whether it is in the log';

interface ProxyError {
  code?: unknown;
  statusCode?: unknown;
  cause?: unknown;
}

const codeOf = (error: unknown): unknown => (error as ProxyError | undefined)?.code;

/** The problem for a forward to `owner` that failed with @fastify/reply-from's `error`. */
export function forwardFailed(vmId: string, owner: string, error: Error): ServiceError {
  const proxyError = error as ProxyError;
  const cause = proxyError.cause;
  if (proxyError.statusCode === 504)
    return new ServiceError(
      504,
      'owner-timeout',
      `VM ${vmId}'s owner (instance ${owner}) did not answer in time (it may be paused or overloaded); ${MAY_BE_APPLIED}. Retry after Retry-After seconds: once its lease expires another instance takes the VM over`,
      undefined,
      RETRY_SECONDS,
    );
  if (codeOf(cause) === 'ECONNREFUSED')
    return new ServiceError(
      502,
      'owner-unreachable',
      `VM ${vmId}'s owner (instance ${owner}) refused the connection (it is down); the call was not applied: retry after Retry-After seconds, once its lease expires another instance takes the VM over`,
      undefined,
      RETRY_SECONDS,
    );
  return new ServiceError(
    502,
    'owner-unreachable',
    `VM ${vmId}'s owner (instance ${owner}) closed the connection without an answer (${String(codeOf(cause) ?? codeOf(error) ?? error.message)}); ${MAY_BE_APPLIED}. Retry after Retry-After seconds`,
    undefined,
    RETRY_SECONDS,
  );
}
