// The viewer's only door to the service: the public HTTP API (/v1/...), JSON in and out.
// A problem+json answer becomes an Error carrying its detail.

const TOKEN = 'prefault-lab.token';

/** The bearer token for servers that run with API tokens (kept in this browser only). */
export const token = {
  get: () => localStorage.getItem(TOKEN) ?? '',
  set: (value) => (value ? localStorage.setItem(TOKEN, value) : localStorage.removeItem(TOKEN)),
};

async function send(method, path, body) {
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token.get()) headers.authorization = `Bearer ${token.get()}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    const problem = /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : null;
    const error = new Error(`${method} ${path}: ${res.status} ${problem?.title ?? ''}${problem?.detail ? ` - ${problem.detail}` : ''}`);
    // Callers that can act on a refusal (a 409 to offer a way out) read its status.
    error.status = res.status;
    throw error;
  }
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
