// Negative errnos as the kernel returns them, and their names for the HTTP edge.

import type { ErrnoName, IoctlResult } from './types.js';

export const EINVAL = -22;
export const ENOENT = -2;
export const EOPNOTSUPP = -95;
export const EINTR = -4;
export const EIO = -5;
export const EFAULT = -14;
export const EAGAIN = -11;
export const ENOMEM = -12;
export const EEXIST = -17;
export const ENOTTY = -25;
/** arm64 kvm_arch_pre_fault_allowed: the vCPU never had KVM_ARM_VCPU_INIT. */
export const ENOEXEC = -8;
/** arm64 user_mem_abort with a result record: a poisoned host page (no SIGBUS). */
export const EHWPOISON = -133;

const NAMES: Record<number, ErrnoName> = {
  [EINVAL]: 'EINVAL',
  [ENOENT]: 'ENOENT',
  [EOPNOTSUPP]: 'EOPNOTSUPP',
  [EINTR]: 'EINTR',
  [EIO]: 'EIO',
  [EFAULT]: 'EFAULT',
  [EAGAIN]: 'EAGAIN',
  [ENOMEM]: 'ENOMEM',
  [EEXIST]: 'EEXIST',
  [ENOTTY]: 'ENOTTY',
  [ENOEXEC]: 'ENOEXEC',
  [EHWPOISON]: 'EHWPOISON',
};

/** The errno name of a negative return value, null for success. */
export const errnoName = (r: number): ErrnoName | null => (r < 0 ? (NAMES[r] ?? 'EIO') : null);

/**
 * An ioctl answer. A failure carries `reason`, one sentence naming the kernel check and its
 * function (the `reason` field); a success never does.
 */
export function ioctlResult(r: number, reason?: string): IoctlResult {
  const out: IoctlResult = { ret: r, errno: errnoName(r) };
  if (r < 0) out.reason = reason ?? `${errnoName(r)} (reason not recorded)`;
  return out;
}
