// One pagination rule for every stored list: fetch one row more than asked to learn
// whether another page exists; the cursor is the last returned row's key.

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_LIMIT = 100;

export async function listPage<T>(
  query: PageQuery,
  fetch: (after: string | undefined, take: number) => Promise<T[]>,
  cursorOf: (item: T) => string,
): Promise<Page<T>> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  const rows = await fetch(query.cursor, limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
