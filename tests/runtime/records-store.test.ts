import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordsStore, type CachedRecord } from '../../runtime/records-store.js';

const conn = { integration: 'google-mail', connectionId: 'local' };
const T0 = Date.UTC(2026, 0, 1);
const minutes = (n: number) => T0 + n * 60_000;

function ids(records: readonly Record<string, unknown>[]): string[] {
    return records.map((r) => String(r['id']));
}

function pageAll(store: RecordsStore, query: Omit<Parameters<RecordsStore['listRecords']>[0], 'cursor'>): CachedRecord[] {
    const all: CachedRecord[] = [];
    let cursor: string | undefined;
    for (;;) {
        const page = store.listRecords({ ...query, cursor });
        all.push(...page.records);
        if (!page.next_cursor) return all;
        cursor = page.next_cursor;
    }
}

describe('RecordsStore: upsert semantics', () => {
    it('adds new records, updates changed ones and leaves identical ones alone', () => {
        const store = new RecordsStore();
        const first = store.saveRecords(
            conn,
            'Thing',
            [
                { id: 'a', n: 1 },
                { id: 'b', n: 1 }
            ],
            { now: minutes(0) }
        );
        expect(first).toEqual({ added: ['a', 'b'], updated: [], deleted: [], unchanged: [] });

        const second = store.saveRecords(
            conn,
            'Thing',
            [
                { id: 'a', n: 1 },
                { id: 'b', n: 2 },
                { id: 'c', n: 1 }
            ],
            { now: minutes(5) }
        );
        expect(second).toEqual({ added: ['c'], updated: ['b'], deleted: [], unchanged: ['a'] });

        const [a, b, c] = ['a', 'b', 'c'].map((id) => store.getRecordsByIds(conn, 'Thing', [id]).get(id)!);
        expect(a!._nango_metadata).toMatchObject({
            last_action: 'ADDED',
            first_seen_at: new Date(minutes(0)).toISOString(),
            last_modified_at: new Date(minutes(0)).toISOString()
        });
        expect(b!._nango_metadata).toMatchObject({
            last_action: 'UPDATED',
            first_seen_at: new Date(minutes(0)).toISOString(),
            last_modified_at: new Date(minutes(5)).toISOString()
        });
        expect(b!['n']).toBe(2);
        expect(c!._nango_metadata.last_action).toBe('ADDED');
    });

    it('soft-deletes with the delete payload as the data, and brings a re-saved record back as added', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [
            { id: 'a', n: 1 },
            { id: 'b', n: 1 }
        ]);
        const del = store.deleteRecords(conn, 'Thing', [{ id: 'a' }, { id: 'ghost' }], { now: minutes(1) });
        expect(del.deleted).toEqual(['a']);
        expect(ids(store.liveRecords(conn, 'Thing'))).toEqual(['b']);

        const a = store.getRecordsByIds(conn, 'Thing', ['a']).get('a')!;
        expect(a).toMatchObject({ id: 'a', _nango_metadata: { last_action: 'DELETED', deleted_at: new Date(minutes(1)).toISOString() } });
        expect(a['n']).toBeUndefined();
        expect(store.getRecordsByIds(conn, 'Thing', ['ghost']).get('ghost')?._nango_metadata.last_action).toBe('DELETED');

        const back = store.saveRecords(conn, 'Thing', [{ id: 'a', n: 1 }], { now: minutes(3) });
        expect(back.added).toEqual(['a']);
        const revived = store.getRecordsByIds(conn, 'Thing', ['a']).get('a')!;
        expect(revived).toMatchObject({ n: 1, _nango_metadata: { last_action: 'UPDATED', deleted_at: null } });
    });

    it('takes the deletion time from deletedAt, and re-sends a repeated delete to pollers without counting it', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [{ id: 'a' }, { id: 'b' }]);
        store.deleteRecords(conn, 'Thing', [{ id: 'a', deletedAt: '2025-12-31T00:00:00.000Z' }], { now: minutes(1) });
        expect(store.getRecordsByIds(conn, 'Thing', ['a']).get('a')?._nango_metadata.deleted_at).toBe('2025-12-31T00:00:00.000Z');

        const cursor = store.listRecords({ ...conn, model: 'Thing' }).records.at(-1)!._nango_metadata.cursor;
        const again = store.deleteRecords(conn, 'Thing', [{ id: 'a' }], { now: minutes(2) });
        expect(again).toMatchObject({ deleted: [], unchanged: ['a'] });
        expect(ids(store.listRecords({ ...conn, model: 'Thing', cursor }).records)).toEqual(['a']);
    });

    it('keeps the first of several records with the same id in one batch, and refuses a record without id', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [
            { id: 'a', n: 1 },
            { id: 'a', n: 2 }
        ]);
        expect(store.liveRecords(conn, 'Thing')).toEqual([{ id: 'a', n: 1 }]);
        expect(() => store.saveRecords(conn, 'Thing', [{ n: 3 }])).toThrow(/Missing id field/);
        expect(() => store.saveRecords(conn, 'Thing', [{ id: '', n: 3 }])).toThrow(/Missing id field/);
    });

    it('batchUpdate merges objects recursively and arrays by index, counts every match, and ignores unknown ids', () => {
        const store = new RecordsStore();
        const list = [
            { k: 1, v: 1 },
            { k: 2, v: 2 }
        ];
        store.saveRecords(conn, 'Thing', [
            { id: 'a', name: 'x', nested: { p: 1, q: 2 }, list },
            { id: 'gone', name: 'g' }
        ]);
        store.deleteRecords(conn, 'Thing', [{ id: 'gone' }]);
        const summary = store.updateRecords(conn, 'Thing', [
            { id: 'a', nested: { q: 3 }, list: [{ v: 9 }] },
            { id: 'nope', name: 'y' },
            { id: 'gone', name: 'h' }
        ]);
        expect(summary.updated).toEqual(['a', 'gone']);
        expect(store.liveRecords(conn, 'Thing')).toEqual([
            {
                id: 'a',
                name: 'x',
                nested: { p: 1, q: 3 },
                list: [
                    { k: 1, v: 9 },
                    { k: 2, v: 2 }
                ]
            }
        ]);
        expect(store.getRecordsByIds(conn, 'Thing', ['gone']).get('gone')?._nango_metadata.last_action).toBe('DELETED');
        expect(store.getRecordsByIds(conn, 'Thing', ['nope']).size).toBe(0);
    });

    it('marks records that were not saved since trackDeletesStart as deleted, unchanged ones count as seen', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
        store.saveRecords(conn, 'Other', [{ id: 'z' }]);
        const mark = store.trackDeletesStart();
        store.saveRecords(conn, 'Thing', [{ id: 'a' }, { id: 'c', changed: true }]);
        expect(store.deleteUnseenSince(conn, 'Thing', mark)).toEqual(['b']);
        expect(ids(store.liveRecords(conn, 'Thing'))).toEqual(['a', 'c']);
        expect(ids(store.liveRecords(conn, 'Other'))).toEqual(['z']);
    });

    it('keeps a delete window open across executions until it is closed, as Nango does for a cut full crawl', () => {
        const dir = mkdtempSync(join(tmpdir(), 'store-window-'));
        const file = join(dir, 'records.sqlite');
        const first = new RecordsStore(file);
        first.saveRecords(conn, 'Thing', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
        const mark = first.openDeleteWindow(conn, 'Thing');
        first.saveRecords(conn, 'Thing', [{ id: 'a' }]);
        first.close();
        // The next execution reopens the store and starts the crawl again from its checkpoint.
        const second = new RecordsStore(file);
        expect(second.openDeleteWindow(conn, 'Thing')).toBe(mark);
        second.saveRecords(conn, 'Thing', [{ id: 'c' }]);
        expect(second.closeDeleteWindow(conn, 'Thing')).toEqual(['b']);
        expect(ids(second.liveRecords(conn, 'Thing'))).toEqual(['a', 'c']);
        expect(second.closeDeleteWindow(conn, 'Thing')).toBeUndefined();
        // A later window starts fresh: what was seen before it no longer counts.
        second.openDeleteWindow(conn, 'Thing');
        expect(second.closeDeleteWindow(conn, 'Thing')).toEqual(['a', 'c']);
        second.close();
    });

    it('keeps connections and models apart', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [{ id: 'a' }]);
        store.saveRecords({ ...conn, connectionId: 'other' }, 'Thing', [{ id: 'a', other: true }]);
        expect(store.liveRecords(conn, 'Thing')).toEqual([{ id: 'a' }]);
        expect(store.countLive({ ...conn, connectionId: 'other' }, 'Thing')).toBe(1);
    });
});

describe('RecordsStore: listRecords as GET /records', () => {
    it('pages with limit and next_cursor, in modification order, with metadata', () => {
        const store = new RecordsStore();
        store.saveRecords(
            conn,
            'Thing',
            Array.from({ length: 250 }, (_, i) => ({ id: `r${i}` }))
        );
        const first = store.listRecords({ ...conn, model: 'Thing' });
        expect(first.records).toHaveLength(100);
        expect(first.next_cursor).not.toBeNull();
        expect(first.records[0]!._nango_metadata.cursor).toEqual(expect.any(String));
        const all = pageAll(store, { ...conn, model: 'Thing', limit: 70 });
        expect(ids(all)).toEqual(Array.from({ length: 250 }, (_, i) => `r${i}`));
        const last = store.listRecords({ ...conn, model: 'Thing', limit: 250 });
        expect(last.next_cursor).toBeNull();
    });

    it('shows a poller every change after its last cursor, including updates and deletes of old records', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
        const seen = store.listRecords({ ...conn, model: 'Thing' }).records;
        const cursor = seen[seen.length - 1]!._nango_metadata.cursor;

        store.saveRecords(conn, 'Thing', [{ id: 'a', v: 2 }, { id: 'b' }]);
        store.deleteRecords(conn, 'Thing', [{ id: 'c' }]);
        store.saveRecords(conn, 'Thing', [{ id: 'd' }]);

        const changes = store.listRecords({ ...conn, model: 'Thing', cursor }).records;
        expect(changes.map((r) => [r.id, r._nango_metadata.last_action])).toEqual([
            ['a', 'UPDATED'],
            ['c', 'DELETED'],
            ['d', 'ADDED']
        ]);
    });

    it('filters by last action and by modifiedAfter', () => {
        const store = new RecordsStore();
        store.saveRecords(conn, 'Thing', [{ id: 'a' }, { id: 'b' }, { id: 'c' }], { now: minutes(0) });
        store.saveRecords(conn, 'Thing', [{ id: 'b', v: 2 }], { now: minutes(10) });
        store.deleteRecords(conn, 'Thing', [{ id: 'c' }], { now: minutes(20) });

        const by = (filter: string) => ids(store.listRecords({ ...conn, model: 'Thing', filter }).records).sort();
        expect(by('added')).toEqual(['a']);
        expect(by('updated')).toEqual(['b']);
        expect(by('deleted')).toEqual(['c']);
        expect(by('added,updated')).toEqual(['a', 'b']);
        expect(by('ADDED,DELETED')).toEqual(['a', 'c']);

        const after = store.listRecords({ ...conn, model: 'Thing', modifiedAfter: new Date(minutes(10)).toISOString() }).records;
        expect(ids(after)).toEqual(['b', 'c']);
    });

    it('refuses a bad cursor, limit, timestamp or filter', () => {
        const store = new RecordsStore();
        const q = { ...conn, model: 'Thing' };
        expect(() => store.listRecords({ ...q, cursor: 'garbage' })).toThrow(/invalid_cursor_value/);
        expect(() => store.listRecords({ ...q, limit: 10_001 })).toThrow(/invalid_limit/);
        expect(() => store.listRecords({ ...q, limit: 0 })).toThrow(/invalid_limit/);
        expect(() => store.listRecords({ ...q, modifiedAfter: 'yesterday' })).toThrow(/invalid_timestamp/);
        expect(() => store.listRecords({ ...q, filter: 'created' })).toThrow(/invalid_filter/);
    });
});

describe('RecordsStore: state beside the records', () => {
    it('keeps checkpoints per sync, metadata and config per connection, and key-values', () => {
        const store = new RecordsStore();
        expect(store.getCheckpoint(conn, 'gmail-threads')).toBeNull();
        store.saveCheckpoint(conn, 'gmail-threads', { phase: 'backfill', page: 'p2' });
        store.saveCheckpoint(conn, 'gmail-contacts', { token: 't' });
        expect(store.getCheckpoint(conn, 'gmail-threads')).toEqual({ phase: 'backfill', page: 'p2' });
        store.clearCheckpoint(conn, 'gmail-threads');
        expect(store.getCheckpoint(conn, 'gmail-threads')).toBeNull();
        expect(store.getCheckpoint(conn, 'gmail-contacts')).toEqual({ token: 't' });

        store.setMetadata(conn, { a: 1, b: 2 });
        store.updateMetadata(conn, { b: 3 });
        store.setConnectionConfig(conn, { instance_url: 'https://x.my.salesforce.com' });
        expect(store.getMetadata(conn)).toEqual({ a: 1, b: 3 });
        expect(store.getConnectionConfig(conn)).toEqual({ instance_url: 'https://x.my.salesforce.com' });

        store.kvSet('sim', { n: 1 });
        expect(store.kvGet('sim')).toEqual({ n: 1 });
        expect(store.kvGet('missing')).toBeUndefined();
    });

    it('persists to a file, creating its folder, and continues cursors after reopening', () => {
        const dir = mkdtempSync(join(tmpdir(), 'records-store-'));
        try {
            const path = join(dir, 'nested', 'cache.db');
            const store = new RecordsStore(path);
            store.saveRecords(conn, 'Thing', [{ id: 'a' }]);
            const cursor = store.listRecords({ ...conn, model: 'Thing' }).records[0]!._nango_metadata.cursor;
            store.close();

            const reopened = new RecordsStore(path);
            reopened.saveRecords(conn, 'Thing', [{ id: 'b' }]);
            expect(ids(reopened.listRecords({ ...conn, model: 'Thing', cursor }).records)).toEqual(['b']);
            reopened.close();
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe('RecordsStore: the ignore_if_modified_after merging cursor', () => {
    it('leaves records changed after the cursor as they are, writes the others, and names the last record it changed', () => {
        const store = new RecordsStore();
        const c = { integration: 'google-calendar', connectionId: 'local' };
        store.saveRecords(c, 'M', [{ id: 'old', v: 1 }]);
        const cursor = store.lastRecordSeq(c, 'M');
        // Another execution (a webhook) changes `old` and adds `new` after the cursor was taken.
        store.saveRecords(c, 'M', [
            { id: 'old', v: 2 },
            { id: 'new', v: 2 }
        ]);
        const written = store.saveRecords(
            c,
            'M',
            [
                { id: 'old', v: 1 },
                { id: 'new', v: 1 },
                { id: 'more', v: 1 }
            ],
            { notModifiedAfter: cursor }
        );
        expect(written).toMatchObject({ added: ['more'], updated: [], unchanged: ['old', 'new'] });
        expect(written.lastChanged).toBe(store.lastRecordSeq(c, 'M'));
        expect(store.deleteRecords(c, 'M', [{ id: 'old' }], { notModifiedAfter: cursor }).deleted).toEqual([]);
        expect(store.liveRecords(c, 'M')).toEqual([
            { id: 'old', v: 2 },
            { id: 'new', v: 2 },
            { id: 'more', v: 1 }
        ]);
    });
});
