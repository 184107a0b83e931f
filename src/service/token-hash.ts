// Bearer tokens are never kept or compared in clear: only their sha256 digests, compared in
// constant time. The hex digest also names a VM's owner in the database.
import { createHash, timingSafeEqual } from 'node:crypto';

// Defined with the configuration, which hashes the tokens as it reads them.
export { hashToken } from '../config.js';

/** The digest of `token` if it is one of `known` (hex digests), else undefined; no early exit. */
export function matchToken(token: string, known: readonly Buffer[]): string | undefined {
  const digest = createHash('sha256').update(token, 'utf8').digest();
  let found = false;
  for (const candidate of known) found = timingSafeEqual(digest, candidate) || found;
  return found ? digest.toString('hex') : undefined;
}
