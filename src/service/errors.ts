// The service's one error type for refusals it decides itself (quotas, ownership, a missing
// VM, lab or quiz, not ready, storage failures). plugins/app/problem.ts turns it, the
// engine's SimError and Fastify's own errors into problem+json, in that one place.

export type ProblemKind =
  | 'invalid-input'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'request-timeout'
  | 'conflict'
  | 'payload-too-large'
  | 'response-too-large'
  | 'unsupported-media-type'
  | 'limit-exceeded'
  | 'rate-limited'
  | 'not-ready'
  | 'overloaded'
  | 'storage-failure'
  | 'owner-unreachable'
  | 'owner-timeout'
  | 'internal';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly kind: ProblemKind,
    message: string,
    /** The offending input, as the problem's `field`. */
    readonly field?: string,
    /** Sent as Retry-After (seconds): the same call may succeed then. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (message: string): ServiceError => new ServiceError(404, 'not-found', message);

/** Seconds a client is told to wait after a passing 503 (VMs loading, a VM changing instances). */
const NOT_READY_RETRY_SECONDS = 1;

/** A 503 that passes on its own: the same call is worth retrying after Retry-After seconds. */
export const notReadyYet = (message: string): ServiceError => new ServiceError(503, 'not-ready', message, undefined, NOT_READY_RETRY_SECONDS);

export const invalidInput = (message: string, field: string): ServiceError => new ServiceError(400, 'invalid-input', message, field);

/** A quota is used up (429): the call may succeed once something is freed. */
export const limitExceeded = (message: string): ServiceError => new ServiceError(429, 'limit-exceeded', message);

/** The token is valid but its role may not do this (a student asking for a teacher's view). */
export const forbidden = (message: string): ServiceError => new ServiceError(403, 'forbidden', message);

export const vmNotFound = (vmId: string): ServiceError => notFound(`no VM with id ${vmId}`);

/** A call on a VM this instance no longer owns (cluster mode): retry, and reach the owner. */
export const movedError = (id: string): ServiceError => notReadyYet(`VM ${id} has moved to another instance; retry the call`);
