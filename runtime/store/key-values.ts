import type { DatabaseSync } from 'node:sqlite';

/** Values the runner keeps beside the records (its simulators' state), by key. */
export class KeyValues {
    private readonly stmts;

    constructor(db: DatabaseSync) {
        this.stmts = {
            get: db.prepare('SELECT value FROM kv WHERE key = ?'),
            set: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
            delete: db.prepare('DELETE FROM kv WHERE key = ?')
        };
    }

    get<T>(key: string): T | undefined {
        const row = this.stmts.get.get(key) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as T) : undefined;
    }

    set(key: string, value: unknown): void {
        this.stmts.set.run(key, JSON.stringify(value));
    }

    delete(key: string): void {
        this.stmts.delete.run(key);
    }
}
