// The viewer's only door to the service: the public HTTP API (/v1/...), JSON in and out.
// A problem+json answer becomes an Error carrying its status, detail and failing field.

/** A token kept in this browser only, under its own localStorage key. */
const stored = (key) => ({
  get: () => localStorage.getItem(key) ?? '',
  set: (value) => (value ? localStorage.setItem(key, value) : localStorage.removeItem(key)),
});

/**
 * The bearer tokens for servers that run with API tokens. A teacher's is kept apart from a
 * student's, so a teacher who also works as a student in the same browser keeps both.
 */
export const tokens = { student: stored('prefault-lab.token'), teacher: stored('prefault-lab.teacher-token') };

let actingAs = null;

/** Calls send the token of this role ('student' | 'teacher'), or, with null, the one stored (the student's first). */
export const actAs = (role) => (actingAs = role);

/** The role whose token calls send, or null when none is stored. */
export const activeRole = () => actingAs ?? (tokens.student.get() ? 'student' : tokens.teacher.get() ? 'teacher' : null);

let answeredWithoutToken = false;

/** An API call without any token succeeded: the server runs open (no tokens, no roles). */
export const serverIsOpen = () => answeredWithoutToken;

async function send(method, path, body) {
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  const role = activeRole();
  const bearer = role ? tokens[role].get() : '';
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    const problem = /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : null;
    const error = new Error(`${method} ${path}: ${res.status} ${problem?.title ?? ''}${problem?.detail ? ` - ${problem.detail}` : ''}`);
    // Callers that can act on a refusal (a 409 to offer a way out, a 401 to ask for a
    // token, a 400 to mark the field) read these.
    error.status = res.status;
    error.detail = problem?.detail;
    error.field = problem?.field;
    throw error;
  }
  if (!bearer && path.startsWith('/v1/')) answeredWithoutToken = true;
  return text;
}

export async function api(method, path, body) {
  const text = await send(method, path, body);
  return text ? JSON.parse(text) : null;
}

/** A text/plain answer (the trace of an operation). */
export const getText = (path) => send('GET', path);

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

/** Every page of a cursor-paged list (at most `maxPages`). */
export async function allPages(path, key, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const data = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...data[key]);
    cursor = data.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** "0x..." / decimal text -> BigInt (throws on anything else). */
export function parseAddr(text) {
  const t = String(text).trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw new Error(`not an address: ${t}`);
  return BigInt(t);
}

export const hex = (v) => `0x${BigInt(v).toString(16)}`;

/**
 * Whether the stored teacher token is a teacher's. Nothing else tells a token's role, so this
 * asks the teachers' progress (HEAD: read-only, no body), which answers 403 to any other
 * token; without a stored teacher token it asks nothing.
 */
export async function teacherTokenWorks() {
  const bearer = tokens.teacher.get();
  if (!bearer) return false;
  const res = await fetch('/v1/teacher/progress', { method: 'HEAD', headers: { authorization: `Bearer ${bearer}` } });
  return res.ok;
}
