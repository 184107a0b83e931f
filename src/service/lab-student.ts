// Who a lab session or a quiz attempt belongs to. With tokens the token is the student (a
// name given is only its label). Without tokens there is no shared "anonymous" student:
// the caller says who it is, by a name (`student`) or by an id it keeps (`client`: the lab
// page makes one per browser and keeps it in localStorage; a script sends any stable id).
import { invalidInput } from './errors.js';

export interface Student {
  /** One lab session per lab and key; quiz attempts are grouped by it. */
  key: string;
  /** What teachers see. */
  label: string;
}

export interface StudentClaim {
  student?: string;
  client?: string;
}

/** `owner`: the stored owner (storedOwner): a token's sha256, or null on an open server. */
export function identifyStudent(owner: string | null, claim: StudentClaim): Student {
  if (owner !== null) return { key: owner, label: claim.student ?? `token:${owner.slice(0, 8)}` };
  if (claim.student !== undefined) return { key: `open:${claim.student}`, label: claim.student };
  if (claim.client !== undefined) return { key: `client:${claim.client}`, label: `client:${claim.client.slice(0, 8)}` };
  throw invalidInput(
    'this server runs without tokens, so say who you are: "student" (a name; the same name is the same student) or "client" (an id you keep, e.g. a UUID: one student per id)',
    'student',
  );
}
