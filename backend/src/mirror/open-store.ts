/** The mirror's database: Postgres when DATABASE_URL is set, else SQLite in a file. */
import { PostgresMirrorStore, postgresPool } from './postgres-store.js';
import { SqliteMirrorStore } from './sqlite-store.js';
import type { MirrorStore } from './store.js';

export async function openMirrorStore(
    options: { databaseUrl?: string | undefined; sqlitePath?: string | undefined } = {}
): Promise<MirrorStore> {
    const databaseUrl = options.databaseUrl ?? process.env['DATABASE_URL'];
    if (databaseUrl) {
        return PostgresMirrorStore.open(await postgresPool(databaseUrl));
    }
    return new SqliteMirrorStore(options.sqlitePath ?? 'nango-mirror.db');
}
