// Who a call acts for, and so what it may see. With tokens on: the sha256 of its token,
// which sees what that token created. On an open server (no tokens): ANY_OWNER, which sees
// everything. No owner at all (undefined) sees nothing and creates nothing: a call that
// never passed authentication must not be taken for an open server's.
import { forbidden, ServiceError } from './errors.js';

export const ANY_OWNER: unique symbol = Symbol('any owner');
export type Owner = string | typeof ANY_OWNER;

/** Whether `caller` may see what `stored` owns (a token's sha256, or null: made on an open server). */
export const mayAccess = (caller: Owner | undefined, stored: string | null): boolean =>
  caller === ANY_OWNER || (caller !== undefined && caller === stored);

/** The owner stored with what `caller` creates: its token's sha256, or null on an open server. */
export function storedOwner(caller: Owner | undefined): string | null {
  if (caller === undefined) throw new ServiceError(401, 'unauthorized', 'this call has no caller: it needs an Authorization: Bearer <token> header');
  return caller === ANY_OWNER ? null : caller;
}

/** A teacher token helps read-only: a call that would change a student's `what` is refused (403), never applied. */
export const teacherWrite = (what: string): ServiceError =>
  forbidden(`${what} belongs to a student: a teacher token reads it (the lab page, walk, mappings, log) but never changes it`);
