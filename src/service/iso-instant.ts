// A time given in a query or a body: an ISO 8601 date (midnight UTC) or a date-time with a
// zone (openapi.yaml checks the form; this checks the calendar).
import { invalidInput } from './errors.js';

/** `text` as a Date; 400 naming `field` for a day the calendar lacks. */
export function isoInstant(text: string, field: string): Date {
  const day = text.slice(0, 10);
  const at = new Date(text);
  // Date() rolls 2026-02-31 over into March: a real day reads back the same.
  if (Number.isNaN(at.getTime()) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day)
    throw invalidInput(`${field} is not a date: ${text}`, field);
  return at;
}
