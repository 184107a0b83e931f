// Which database a DATABASE_URL names: "file:..." is SQLite (the default, one instance),
// "postgres://..." or "postgresql://..." is PostgreSQL (one or several instances).
export const DEFAULT_DATABASE_URL = 'file:./data/prefault-lab.db';

export type StoreKind = 'sqlite' | 'postgres';

export const storeKind = (databaseUrl: string): StoreKind => (/^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite');
