// Typed errors for input the engine refuses before anything "kernel-side" happens.
// A simulated ioctl failure is never thrown: it is a result with ret/errno. These are
// the caller's mistakes (the HTTP layer maps them to problem+json statuses).

export type SimErrorCode = 'invalid' | 'not_found' | 'conflict' | 'limit';

export class SimError extends Error {
  constructor(
    readonly code: SimErrorCode,
    message: string,
    /** The offending input field, as a JSON pointer-ish path (e.g. "gpa", "vcpu.id"). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

export const invalid = (field: string, message: string): SimError => new SimError('invalid', message, field);
export const notFound = (message: string): SimError => new SimError('not_found', message);
export const conflict = (message: string, field?: string): SimError => new SimError('conflict', message, field);
export const overLimit = (message: string, field?: string): SimError => new SimError('limit', message, field);
