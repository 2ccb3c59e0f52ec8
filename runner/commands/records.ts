import { InvalidRecordsQueryError, type CachedRecord, type RecordsStore } from '../../runtime/records-store.js';
import { modelOwner } from '../catalog.js';
import type { RecordsCommandOptions } from '../cli.js';
import { UserError } from '../errors.js';
import { clip, textTable } from '../format.js';
import { openStore } from '../store.js';
import { DEFAULT_CONNECTION, REHEARSAL_CONNECTION } from '../connections.js';

/** The fields worth a column for each model, after the id; the rest is in `--json`. */
const COLUMNS: Record<string, string[]> = {
    GmailThread: ['subject', 'from', 'date', 'labels'],
    GoogleContact: ['displayName', 'emailAddresses', 'organizations'],
    SalesforceLead: ['firstName', 'lastName', 'company', 'status'],
    SalesforceOpportunity: ['name', 'stageName', 'amount', 'closeDate'],
    GoogleCalendarEvent: ['summary', 'start', 'status']
};

export async function recordsCommand(model: string, options: RecordsCommandOptions): Promise<number> {
    const owner = modelOwner(model);
    const limit = parseLimit(options.limit);
    const store = openStore();
    try {
        const connectionId = options.connection ?? pickDefaultConnection(store, owner.integration, model);
        let page;
        try {
            page = store.listRecords({
                integration: owner.integration,
                connectionId,
                model,
                limit,
                cursor: options.cursor,
                modifiedAfter: options.modifiedAfter,
                filter: options.filter
            });
        } catch (err) {
            if (err instanceof InvalidRecordsQueryError) throw new UserError(err.message);
            throw err;
        }
        if (options.json) {
            process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
            return 0;
        }
        process.stdout.write(`${model} of ${owner.integration}, connection "${connectionId}": ${page.records.length} record(s)\n`);
        if (page.records.length > 0) process.stdout.write(`${renderRecords(model, page.records)}\n`);
        else if (options.cursor === undefined && options.filter === undefined && options.modifiedAfter === undefined) {
            process.stdout.write(
                `Nothing cached yet: run the rehearsal (npm start) or npm start -- sync ${owner.integration} ${owner.name}\n`
            );
        }
        process.stdout.write(page.next_cursor ? `more: --cursor ${page.next_cursor}\n` : 'no more records\n');
        return 0;
    } finally {
        store.close();
    }
}

/**
 * `--limit` as typed: `Number('abc')` would reach the store as NaN and come back as "got NaN", which names neither
 * what was given nor what is expected. The range (1 to 10000, as Nango's records API) stays the store's rule.
 */
export function parseLimit(text: string): number {
    if (!/^\d+$/.test(text)) throw new UserError(`--limit takes a whole number of records per page, from 1 to 10000; got "${text}"`);
    return Number(text);
}

/**
 * Without `--connection`, the user's own connection; but right after `npm start` only the rehearsal's connection
 * holds anything, and showing that beats showing nothing.
 */
function pickDefaultConnection(store: RecordsStore, integration: string, model: string): string {
    const has = (connectionId: string) => store.listRecords({ integration, connectionId, model, limit: 1 }).records.length > 0;
    if (has(DEFAULT_CONNECTION) || !has(REHEARSAL_CONNECTION)) return DEFAULT_CONNECTION;
    process.stderr.write(
        `(nothing stored under connection "${DEFAULT_CONNECTION}"; showing the rehearsal's, --connection ${REHEARSAL_CONNECTION})\n`
    );
    return REHEARSAL_CONNECTION;
}

function renderRecords(model: string, records: CachedRecord[]): string {
    const fields = COLUMNS[model] ?? [];
    const columns = [
        { title: 'id' },
        ...fields.map((field) => ({ title: field })),
        { title: 'last_action' },
        { title: 'last_modified_at' }
    ];
    const rows = records.map((record) => [
        clip(record.id, 40),
        ...fields.map((field) => clip(cell(record[field]), 40)),
        record._nango_metadata.last_action,
        record._nango_metadata.last_modified_at
    ]);
    return textTable(columns, rows);
}

/** A short human rendering of a field: addresses by email, times by their instant, lists joined. */
function cell(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (Array.isArray(value)) return value.map(cell).join(', ');
    if (typeof value === 'object') {
        const object = value as Record<string, unknown>;
        for (const key of ['email', 'value', 'name', 'dateTime', 'date']) {
            if (typeof object[key] === 'string') return object[key];
        }
        return JSON.stringify(value);
    }
    return String(value);
}
