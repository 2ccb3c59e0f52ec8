/**
 * The org: records of each object, the recycle bin, open query cursors, and the rules Salesforce applies to writes
 * (required fields, picklists, lengths, validation rules, a duplicate rule). Every change stamps SystemModstamp with
 * the clock's current second, so records changed in the same second share a stamp, as they do in Salesforce.
 */
import type { Clock } from '../../runtime/clock.js';
import { SalesforceApiError, NOT_FOUND_MESSAGE, type SalesforceErrorBody } from './errors.js';
import { canonicalId15, IdFactory, KEY_PREFIXES } from './ids.js';
import { OrgSchema, STAGES, type FieldDef, type ObjectDef } from './schema.js';
import { toQueryRow, toWire, type WireRecord } from './serialize.js';
import { compileQuery, type Column, type ParentLookup } from './soql/compile.js';
import { parseSoql } from './soql/parser.js';
import { blankRecord, fieldErrors, parseBody } from './writes.js';
import { formatDateTime, toSecond, type FieldValue, type SfRecord } from './values.js';

/** A rule an admin configured: the save fails with `message` when `when` holds for the record as it would be saved. */
export interface ValidationRule {
    object: string;
    message: string;
    /** The field the error is shown on; none means the top of the page (`fields: []`). */
    errorField?: string;
    when: { field: string; blank: true } | { field: string; equals: FieldValue } | { field: string; matches: string };
}

export interface QueryPage {
    totalSize: number;
    done: boolean;
    nextRecordsUrl?: string;
    records: WireRecord[];
}

interface Cursor {
    /**
     * The rows as they were when the query ran: a snapshot, since records are replaced on write, never mutated. They
     * are written out a page at a time, as served: Salesforce keeps a cursor on its side, and a simulator holding
     * every row written out would charge that memory to the script reading it.
     */
    rows: SfRecord[];
    object: ObjectDef;
    columns: Column[];
    /** The parents the selected paths reach, as they were when the query ran. */
    parents: ParentLookup;
    batchSize: number;
    version: string;
    all: boolean;
    lastUsed: number;
}

/** Objects the REST API lets this simulator create, update and delete. */
const WRITABLE = new Set(['Lead', 'Opportunity', 'Account', 'Contact']);
const DAY = 24 * 60 * 60 * 1000;

export class SalesforceStore {
    readonly schema = new OrgSchema();
    readonly ids: IdFactory;
    /** Object name -> 15-character id -> record. */
    private readonly tables = new Map<string, Map<string, SfRecord>>();
    /** 15-character id -> when it went to the recycle bin. */
    private readonly binned = new Map<string, number>();
    /**
     * Emptied from the recycle bin: gone for undelete, record access and getDeleted, but still returned by queryAll
     * for a while ("typically 24 hours", says emptyRecycleBin()'s documentation).
     */
    private readonly emptied = new Map<string, { deletedAt: number; visibleUntil: number }>();
    /** Per object, the deletion time of the newest record physically removed (getDeleted's earliestDateAvailable). */
    private readonly lastPhysicalDeletion = new Map<string, number>();
    /** How long queryAll still returns records after the recycle bin was emptied. */
    emptiedVisibleMs = DAY;
    private readonly cursors = new Map<string, Cursor>();
    /** The integration user every API write is made as; seeded users own records. */
    readonly users: string[] = [];

    /** Duplicate rule "leads with the same email" (off unless a test switches it on). */
    duplicateRuleOnLeadEmail = false;
    validationRules: ValidationRule[] = [];
    /** Deleted records stay queryable with queryAll for this long, then are purged. */
    recycleBinDays = 15;
    /** A query cursor lives 15 minutes after its last use. */
    cursorTtlMs = 15 * 60 * 1000;
    /** Opening one more cursor than this closes the oldest, as Salesforce does per user. */
    maxOpenCursors = 10;
    /**
     * Salesforce treats batchSize as a hint and may answer with smaller pages (it does when long text fields are
     * selected); tests set this to get many pages out of few records.
     */
    pageSizeCap: number | undefined;

    /** When the org came to be; the seed's oldest records are younger. */
    readonly createdAt: number;

    constructor(
        private readonly clock: Clock,
        idCounter = 0
    ) {
        this.createdAt = toSecond(clock.now() - 1000 * DAY);
        this.ids = new IdFactory(idCounter);
        for (const name of this.schema.objectNames()) this.tables.set(name, new Map());
    }

    /** The current time to the second: Salesforce stores no milliseconds. */
    stamp(): number {
        return toSecond(this.clock.now());
    }

    table(objectName: string): Map<string, SfRecord> {
        const table = this.tables.get(objectName);
        if (!table) throw new Error(`no table ${objectName}`);
        return table;
    }

    get integrationUser(): string {
        const user = this.users[0];
        if (!user) throw new Error('the org has no user');
        return user;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Queries
    // ----------------------------------------------------------------------------------------------------------

    /** Runs a query; `all` is queryAll (deleted rows included). Throws SoqlError for a refused query. */
    query(soql: string, options: { all: boolean; version: string; batchSize: number }): QueryPage {
        this.purgeBin();
        const compiled = compileQuery(parseSoql(soql), this.schema, this.parent);
        let rows: SfRecord[] = [];
        for (const record of this.table(compiled.object.name).values()) {
            if (!options.all && record['IsDeleted'] === true) continue;
            if (compiled.matches(record)) rows.push(record);
        }
        rows.sort(compiled.compare);
        if (compiled.offset !== undefined) rows = rows.slice(compiled.offset);
        if (compiled.limit !== undefined) rows = rows.slice(0, compiled.limit);
        if (compiled.fields === 'count') return { totalSize: rows.length, done: true, records: [] };
        const columns = compiled.fields;
        const cursor: Cursor = {
            rows,
            object: compiled.object,
            columns,
            parents: this.parentsNow(columns),
            batchSize: Math.min(options.batchSize, this.pageSizeCap ?? options.batchSize),
            version: options.version,
            all: options.all,
            lastUsed: this.clock.now()
        };
        if (rows.length <= cursor.batchSize) return this.page(cursor, '', 0);
        const locator = this.ids.make(KEY_PREFIXES.QueryLocator);
        this.cursors.set(locator, cursor);
        while (this.cursors.size > this.maxOpenCursors) this.cursors.delete(this.cursors.keys().next().value!);
        return this.page(cursor, locator, 0);
    }

    /** The page of an open cursor that starts at `offset` (the number after the dash in nextRecordsUrl). */
    queryMore(locator: string, offset: number): QueryPage {
        const cursor = this.cursors.get(locator);
        const now = this.clock.now();
        if (
            !cursor ||
            now - cursor.lastUsed > this.cursorTtlMs ||
            !Number.isInteger(offset) ||
            offset < 0 ||
            offset >= cursor.rows.length
        ) {
            if (cursor && now - cursor.lastUsed > this.cursorTtlMs) this.cursors.delete(locator);
            throw SalesforceApiError.one(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        }
        cursor.lastUsed = now;
        // The cursor keeps the touch order the eviction of the oldest relies on.
        this.cursors.delete(locator);
        this.cursors.set(locator, cursor);
        return this.page(cursor, locator, offset);
    }

    /** The live record a lookup points at; a parent in the recycle bin reads as no parent. */
    private readonly parent: ParentLookup = (id) => {
        const id15 = canonicalId15(id);
        if (!id15) return undefined;
        for (const name of this.schema.objectNames()) {
            const object = this.schema.object(name)!;
            if (object.keyPrefix !== id15.slice(0, 3)) continue;
            const record = this.table(object.name).get(id15);
            return record && record['IsDeleted'] !== true ? { object, record } : undefined;
        }
        return undefined;
    };

    /** Makes every open cursor invalid, as a long pause or a server restart does. */
    expireCursors(): number {
        const count = this.cursors.size;
        this.cursors.clear();
        return count;
    }

    get openCursors(): number {
        return this.cursors.size;
    }

    /**
     * The parent lookup as the org is now, for a cursor served later: the tables of the objects `columns` reach
     * through, copied (a copy holds the same record objects, which writes replace rather than change).
     */
    private parentsNow(columns: readonly Column[]): ParentLookup {
        const tables = new Map<string, { object: ObjectDef; records: Map<string, SfRecord> }>();
        for (const name of new Set(columns.flatMap((c) => c.lookups.flatMap((l) => l.referenceTo)))) {
            const object = this.schema.object(name);
            if (object) tables.set(object.keyPrefix, { object, records: new Map(this.table(object.name)) });
        }
        return (id) => {
            const id15 = canonicalId15(id);
            const table = id15 ? tables.get(id15.slice(0, 3)) : undefined;
            const record = table?.records.get(id15!);
            return table && record && record['IsDeleted'] !== true ? { object: table.object, record } : undefined;
        };
    }

    private page(cursor: Cursor, locator: string, offset: number): QueryPage {
        const end = Math.min(offset + cursor.batchSize, cursor.rows.length);
        const records = cursor.rows
            .slice(offset, end)
            .map((row) => toQueryRow(cursor.object, row, cursor.columns, cursor.version, cursor.parents));
        const done = end >= cursor.rows.length;
        const page: QueryPage = { totalSize: cursor.rows.length, done, records };
        if (!done) {
            const resource = cursor.all ? 'queryAll' : 'query';
            return {
                totalSize: page.totalSize,
                done,
                nextRecordsUrl: `/services/data/${cursor.version}/${resource}/${locator}-${end}`,
                records
            };
        }
        return page;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Describe and single records
    // ----------------------------------------------------------------------------------------------------------

    object(name: string): ObjectDef {
        const object = this.schema.object(name);
        if (!object) throw SalesforceApiError.one(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
        return object;
    }

    /**
     * sObject Describe with If-Modified-Since (`since`, ms, or null without a usable one): null, for 304 Not Modified,
     * when the object's metadata has not changed after it. HTTP dates have whole seconds, so a change is compared by
     * its second: one made within the very second named counts as not after it.
     * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/sobject_describe_with_ifmodified_header.htm
     */
    describeIfModified(objectName: string, since: number | null): Record<string, unknown> | null {
        const object = this.object(objectName);
        if (since !== null && toSecond(this.schema.changedAt(object, this.createdAt)) <= since) return null;
        return this.describe(object.name);
    }

    describe(objectName: string): Record<string, unknown> {
        const object = this.object(objectName);
        const writable = WRITABLE.has(object.name);
        return {
            name: object.name,
            label: object.label,
            labelPlural: object.labelPlural,
            keyPrefix: object.keyPrefix,
            custom: false,
            createable: writable,
            updateable: writable,
            deletable: writable,
            undeletable: writable,
            queryable: true,
            retrieveable: true,
            searchable: true,
            fields: object.fields.map((f) => ({
                name: f.name,
                label: f.label,
                type: f.type,
                soapType: soapType(f),
                length: f.length,
                byteLength: f.length * 3,
                precision: f.precision,
                scale: f.scale,
                digits: f.type === 'int' ? f.precision : 0,
                nillable: f.nillable,
                createable: f.createable,
                updateable: f.updateable,
                defaultedOnCreate: f.defaultedOnCreate,
                custom: f.custom,
                calculated: false,
                filterable: f.filterable,
                sortable: f.sortable,
                unique: f.unique,
                externalId: f.externalId,
                idLookup: f.type === 'id' || f.externalId,
                restrictedPicklist: f.type === 'picklist' && f.restrictedPicklist,
                picklistValues: f.picklistValues,
                referenceTo: f.referenceTo,
                relationshipName: f.relationshipName,
                polymorphicForeignKey: f.referenceTo.length > 1
            })),
            childRelationships: [],
            recordTypeInfos: [],
            urls: {
                sobject: `/services/data/vXX.X/sobjects/${object.name}`,
                describe: `/services/data/vXX.X/sobjects/${object.name}/describe`,
                rowTemplate: `/services/data/vXX.X/sobjects/${object.name}/{ID}`
            }
        };
    }

    /** The live or binned record an id names, refusing a malformed id, an id of another object, or an unknown one. */
    private find(object: ObjectDef, id: string): SfRecord {
        const id15 = canonicalId15(id);
        if (!id15 || id15.slice(0, 3) !== object.keyPrefix) {
            throw SalesforceApiError.one(400, 'MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${id}`, ['Id']);
        }
        this.purgeBin();
        const record = this.table(object.name).get(id15);
        if (!record || this.emptied.has(id15)) throw SalesforceApiError.one(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
        return record;
    }

    private findLive(object: ObjectDef, id: string): SfRecord {
        const record = this.find(object, id);
        if (record['IsDeleted'] === true)
            throw new SalesforceApiError(404, [{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]);
        return record;
    }

    getRecord(objectName: string, id: string, version: string, fieldNames?: string[]): WireRecord {
        const object = this.object(objectName);
        const record = this.findLive(object, id);
        let fields = object.fields;
        if (fieldNames) {
            fields = fieldNames.map((name) => {
                const def = this.schema.field(object, name);
                if (!def) throw SalesforceApiError.one(400, 'INVALID_FIELD', `No such column '${name}' on entity '${object.name}'.`);
                return def;
            });
        }
        return toWire(object, record, fields, version);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Writes
    // ----------------------------------------------------------------------------------------------------------

    private writable(objectName: string): ObjectDef {
        const object = this.object(objectName);
        if (!WRITABLE.has(object.name)) {
            throw SalesforceApiError.one(400, 'INVALID_TYPE_FOR_OPERATION', `entity type ${object.name} does not support this operation`);
        }
        return object;
    }

    private referenceExists = (id15: string): boolean => {
        for (const table of this.tables.values()) {
            const record = table.get(id15);
            if (record) return record['IsDeleted'] !== true;
        }
        return false;
    };

    /** POST /sobjects/{Type}: the new record's 18-character id. */
    create(objectName: string, body: unknown): string {
        const object = this.writable(objectName);
        const values = parseBody(this.schema, object, body, 'create', this.referenceExists);
        const record = { ...blankRecord(object), ...values };
        applyDefaults(object, record, this.integrationUser);
        this.checkSave(object, record, Object.keys(values), undefined);
        const id = this.ids.make(object.keyPrefix);
        const now = this.stamp();
        record['Id'] = id;
        record['IsDeleted'] = false;
        record['CreatedDate'] = now;
        record['CreatedById'] = this.integrationUser;
        derive(object, record, values, now, this.integrationUser);
        this.table(object.name).set(id.slice(0, 15), record);
        return id;
    }

    /**
     * PATCH /sobjects/{Type}/{id}. `ifUnmodifiedSince` (ms, from the If-Unmodified-Since header) makes it conditional:
     * a record last modified after that second is left alone and answered 412 (REST API Developer Guide, "Conditional
     * Request Headers": a weak check against the record's last modified date).
     */
    update(objectName: string, id: string, body: unknown, options: { ifUnmodifiedSince?: number } = {}): void {
        const object = this.writable(objectName);
        const current = this.findLive(object, id);
        if (options.ifUnmodifiedSince !== undefined && (current['LastModifiedDate'] as number) > options.ifUnmodifiedSince) {
            throw SalesforceApiError.one(
                412,
                'PRECONDITION_FAILED',
                `The requested resource was modified after ${new Date(options.ifUnmodifiedSince).toUTCString()}`
            );
        }
        if (object.name === 'Lead' && current['IsConverted'] === true) {
            throw new SalesforceApiError(400, [
                { errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] }
            ]);
        }
        const values = parseBody(this.schema, object, body, 'update', this.referenceExists);
        const record = { ...current, ...values };
        this.checkSave(object, record, Object.keys(values), current);
        derive(object, record, values, this.stamp(), this.integrationUser);
        this.table(object.name).set(String(current['Id']).slice(0, 15), record);
    }

    /**
     * PATCH /sobjects/{Type}/{field}/{value}: creates the record when no live one has that external id, updates the
     * one that has it (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
     * A field that does not exist or is not an External ID answers 404 NOT_FOUND ("Incorrect external ID field"), the
     * body may not set the key field itself, and several matches answer 300 with their URLs.
     */
    upsert(
        objectName: string,
        fieldName: string,
        value: string,
        body: unknown,
        version: string
    ): { id: string; created: boolean } | { matches: string[] } {
        const object = this.writable(objectName);
        const key = this.externalIdField(object, fieldName);
        if (typeof body === 'object' && body !== null && Object.keys(body).some((k) => k.toLowerCase() === key.name.toLowerCase())) {
            throw SalesforceApiError.one(
                400,
                'INVALID_FIELD',
                `The external ID field ${key.name} should not be specified in the sobject data.`,
                [key.name]
            );
        }
        const matches = this.byExternalId(object, key, value);
        if (matches.length > 1)
            return { matches: matches.map((r) => `/services/data/${version}/sobjects/${object.name}/${String(r['Id'])}`) };
        const match = matches[0];
        if (match) {
            this.update(object.name, String(match['Id']), body);
            return { id: String(match['Id']), created: false };
        }
        const withKey = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, [key.name]: value } : body;
        return { id: this.create(object.name, withKey), created: true };
    }

    /** GET /sobjects/{Type}/{field}/{value}: the live record with that external id. */
    getByExternalId(objectName: string, fieldName: string, value: string, version: string): { record: WireRecord } | { matches: string[] } {
        const object = this.object(objectName);
        const key = this.externalIdField(object, fieldName);
        const matches = this.byExternalId(object, key, value);
        if (matches.length > 1)
            return { matches: matches.map((r) => `/services/data/${version}/sobjects/${object.name}/${String(r['Id'])}`) };
        if (!matches[0]) throw SalesforceApiError.one(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
        return { record: toWire(object, matches[0], object.fields, version) };
    }

    private externalIdField(object: ObjectDef, fieldName: string): FieldDef {
        const def = this.schema.field(object, fieldName);
        if (!def || !def.externalId) throw SalesforceApiError.one(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
        return def;
    }

    private byExternalId(object: ObjectDef, key: FieldDef, value: string): SfRecord[] {
        const wanted = value.toLowerCase();
        return [...this.table(object.name).values()].filter(
            (r) => r['IsDeleted'] !== true && typeof r[key.name] === 'string' && (r[key.name] as string).toLowerCase() === wanted
        );
    }

    /** DELETE /sobjects/{Type}/{id}: the record goes to the recycle bin. */
    delete(objectName: string, id: string): void {
        const object = this.writable(objectName);
        const current = this.findLive(object, id);
        const now = this.stamp();
        const id15 = String(current['Id']).slice(0, 15);
        this.table(object.name).set(id15, { ...current, IsDeleted: true, SystemModstamp: now });
        this.binned.set(id15, now);
    }

    /** Restores a record from the recycle bin (the UI's or Apex's undelete). */
    undelete(objectName: string, id: string): void {
        const object = this.object(objectName);
        const current = this.find(object, id);
        if (current['IsDeleted'] !== true) throw SalesforceApiError.one(400, 'UNDELETE_FAILED', 'Entity is not in the recycle bin');
        const id15 = String(current['Id']).slice(0, 15);
        this.table(object.name).set(id15, { ...current, IsDeleted: false, SystemModstamp: this.stamp() });
        this.binned.delete(id15);
    }

    /** Changes a record without validation, as automation does; `user` false leaves LastModifiedDate alone. */
    touch(objectName: string, id15: string, changes: Record<string, FieldValue>, user = true): void {
        const table = this.table(objectName);
        const current = table.get(id15);
        if (!current) throw new Error(`no ${objectName} ${id15}`);
        const object = this.object(objectName);
        const record = { ...current, ...changes };
        const now = this.stamp();
        if (user) derive(object, record, changes, now, this.integrationUser);
        else record['SystemModstamp'] = now;
        table.set(id15, record);
    }

    /** Inserts a fully formed record (seed data, conversions). */
    insert(objectName: string, record: Record<string, FieldValue>): void {
        this.table(objectName).set(String(record['Id']).slice(0, 15), record);
        if (record['IsDeleted'] === true) this.binned.set(String(record['Id']).slice(0, 15), record['SystemModstamp'] as number);
    }

    /**
     * GET /sobjects/{Type}/deleted: ids deleted in [start, end] that are still in the recycle bin, and
     * earliestDateAvailable, the deletion time of the newest record physically removed: a replica whose last sync is
     * older than that may have missed deletions and must resync.
     */
    deletedBetween(
        objectName: string,
        start: number,
        end: number
    ): { deletedRecords: { id: string; deletedDate: string }[]; earliestDateAvailable: string; latestDateCovered: string } {
        const object = this.object(objectName);
        this.purgeBin();
        const now = this.clock.now();
        if (!Number.isFinite(start) || !Number.isFinite(end) || end - start <= 60_000) {
            throw SalesforceApiError.one(
                400,
                'INVALID_REPLICATION_DATE',
                'startDate must chronologically precede endDate by more than one minute'
            );
        }
        if (start < now - 30 * DAY) {
            throw SalesforceApiError.one(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
        }
        const table = this.table(object.name);
        const deletedRecords: { id: string; deletedDate: string }[] = [];
        for (const [id15, at] of this.binned) {
            const record = table.get(id15);
            if (record && at >= start && at <= end) deletedRecords.push({ id: String(record['Id']), deletedDate: formatDateTime(at) });
        }
        // Nothing physically deleted yet: the org's creation bounds what could have been missed.
        const earliest = this.lastPhysicalDeletion.get(object.name) ?? this.createdAt;
        return {
            deletedRecords,
            earliestDateAvailable: formatDateTime(earliest),
            latestDateCovered: formatDateTime(toSecond(Math.min(end, now)))
        };
    }

    /** Records of the recycle bin, by object: only those still there (past the retention they are purged first). */
    binnedIds(objectName: string): string[] {
        this.purgeBin();
        const table = this.table(objectName);
        return [...this.binned.keys()].filter((id15) => table.has(id15));
    }

    /** Records emptied from the bin that queryAll still returns: `[id15, deletedAt, visibleUntil]`. */
    emptiedEntries(): [string, number, number][] {
        return [...this.emptied].map(([id15, e]) => [id15, e.deletedAt, e.visibleUntil]);
    }

    physicalDeletions(): Record<string, number> {
        return Object.fromEntries(this.lastPhysicalDeletion);
    }

    /** Restores the bin's state from a snapshot (after the records were inserted). */
    restoreBin(emptied: [string, number, number][], physical: Record<string, number>): void {
        for (const [id15, deletedAt, visibleUntil] of emptied) {
            this.binned.delete(id15);
            this.emptied.set(id15, { deletedAt, visibleUntil });
        }
        for (const [object, at] of Object.entries(physical)) this.lastPhysicalDeletion.set(object, at);
    }

    /** An admin empties the recycle bin: undelete is no longer possible and getDeleted forgets those ids. */
    emptyRecycleBin(): number {
        const now = this.clock.now();
        let count = 0;
        for (const [id15, at] of this.binned) {
            this.emptied.set(id15, { deletedAt: at, visibleUntil: now + this.emptiedVisibleMs });
            this.physicallyDeleted(id15, at);
            this.binned.delete(id15);
            count += 1;
        }
        return count;
    }

    /** The 15-day retention: binned records past it, and emptied ones past their grace, are gone for good. */
    purgeBin(): void {
        const now = this.clock.now();
        const cutoff = now - this.recycleBinDays * DAY;
        for (const [id15, at] of this.binned) {
            if (at > cutoff) continue;
            this.physicallyDeleted(id15, at);
            this.binned.delete(id15);
            this.removeRow(id15);
        }
        for (const [id15, entry] of this.emptied) {
            if (entry.visibleUntil > now) continue;
            this.emptied.delete(id15);
            this.removeRow(id15);
        }
    }

    private physicallyDeleted(id15: string, at: number): void {
        const object = this.schema.objectNames().find((name) => this.schema.object(name)?.keyPrefix === id15.slice(0, 3));
        if (object) this.lastPhysicalDeletion.set(object, Math.max(this.lastPhysicalDeletion.get(object) ?? -Infinity, at));
    }

    private removeRow(id15: string): void {
        for (const table of this.tables.values()) table.delete(id15);
    }

    private checkSave(object: ObjectDef, record: Record<string, FieldValue>, changed: string[], before: SfRecord | undefined): void {
        const errors = fieldErrors(object, record, changed);
        if (errors.length > 0) throw new SalesforceApiError(400, errors);
        for (const def of object.fields) {
            const value = record[def.name];
            if (!def.unique || typeof value !== 'string' || !changed.includes(def.name)) continue;
            const other = this.byExternalId(object, def, value).find((r) => r['Id'] !== before?.['Id']);
            if (other)
                throw SalesforceApiError.one(
                    400,
                    'DUPLICATE_VALUE',
                    `duplicate value found: ${def.name} duplicates value on record with id: ${String(other['Id'])}`,
                    [def.name]
                );
        }
        const failed: SalesforceErrorBody[] = [];
        for (const rule of this.validationRules) {
            if (rule.object.toLowerCase() !== object.name.toLowerCase()) continue;
            if (ruleHolds(rule, record))
                failed.push({
                    message: rule.message,
                    errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                    fields: rule.errorField ? [rule.errorField] : []
                });
        }
        if (failed.length > 0) throw new SalesforceApiError(400, failed);
        if (object.name === 'Lead' && this.duplicateRuleOnLeadEmail && typeof record['Email'] === 'string') {
            const email = record['Email'].toLowerCase();
            if (before?.['Email'] !== record['Email']) {
                const self = before ? String(before['Id']) : undefined;
                const matches: string[] = [];
                for (const lead of this.table('Lead').values()) {
                    if (
                        lead['IsDeleted'] !== true &&
                        typeof lead['Email'] === 'string' &&
                        lead['Email'].toLowerCase() === email &&
                        lead['Id'] !== self
                    ) {
                        matches.push(String(lead['Id']));
                    }
                }
                if (matches.length > 0) {
                    throw new SalesforceApiError(400, [
                        {
                            message: 'Use one of these records?',
                            errorCode: 'DUPLICATES_DETECTED',
                            fields: [],
                            duplicateResult: {
                                allowSave: false,
                                duplicateRule: 'Standard_Lead_Duplicate_Rule',
                                duplicateRuleEntityType: 'Lead',
                                errorMessage: 'You are creating a duplicate record. We recommend you use an existing record instead.',
                                matchResults: [
                                    {
                                        entityType: 'Lead',
                                        errors: [],
                                        matchEngine: 'ExactMatchEngine',
                                        matchRecords: matches.map((id) => ({
                                            additionalInformation: [],
                                            fieldDiffs: [],
                                            matchConfidence: 100,
                                            record: { attributes: { type: 'Lead' }, Id: id }
                                        })),
                                        rule: 'Standard_Lead_Match_Rule_v1_0',
                                        size: matches.length,
                                        success: true
                                    }
                                ]
                            }
                        }
                    ]);
                }
            }
        }
    }
}

function soapType(f: FieldDef): string {
    switch (f.type) {
        case 'id':
        case 'reference':
            return 'tns:ID';
        case 'boolean':
            return 'xsd:boolean';
        case 'currency':
        case 'double':
        case 'percent':
            return 'xsd:double';
        case 'int':
            return 'xsd:int';
        case 'date':
            return 'xsd:date';
        case 'datetime':
            return 'xsd:dateTime';
        default:
            return 'xsd:string';
    }
}

function ruleHolds(rule: ValidationRule, record: Record<string, FieldValue>): boolean {
    const value = record[rule.when.field] ?? null;
    if ('blank' in rule.when) return value === null || value === '';
    if ('equals' in rule.when) return value === rule.when.equals;
    return typeof value === 'string' && new RegExp(rule.when.matches).test(value);
}

function applyDefaults(object: ObjectDef, record: Record<string, FieldValue>, user: string): void {
    for (const def of object.fields) {
        if (record[def.name] !== null) continue;
        const fallback = def.picklistValues.find((p) => p.defaultValue);
        if (fallback && def.defaultedOnCreate) record[def.name] = fallback.value;
        else if (def.type === 'boolean') record[def.name] = false;
    }
    if (object.fields.some((f) => f.name === 'OwnerId') && record['OwnerId'] === null) record['OwnerId'] = user;
    if (object.name === 'Lead') record['IsUnreadByOwner'] = record['IsUnreadByOwner'] ?? true;
}

/** Fields Salesforce computes on save: names, stage-driven flags, the modification stamps. */
export function derive(
    object: ObjectDef,
    record: Record<string, FieldValue>,
    changed: Record<string, FieldValue>,
    now: number,
    user: string
): void {
    if (object.name === 'Lead' || object.name === 'Contact') {
        record['Name'] = [record['FirstName'], record['MiddleName'], record['LastName']]
            .filter((p) => typeof p === 'string' && p !== '')
            .join(' ');
    }
    if (object.name === 'Opportunity') {
        const stage = STAGES.find((s) => s.name === record['StageName']);
        if (stage) {
            record['IsClosed'] = stage.closed;
            record['IsWon'] = stage.won;
            record['ForecastCategoryName'] = stage.forecast;
            if ('StageName' in changed && !('Probability' in changed)) record['Probability'] = stage.probability;
        }
        const amount = record['Amount'];
        const probability = record['Probability'];
        record['ExpectedRevenue'] =
            typeof amount === 'number' && typeof probability === 'number' ? Math.round(amount * probability) / 100 : null;
    }
    record['LastModifiedDate'] = now;
    record['LastModifiedById'] = user;
    record['SystemModstamp'] = now;
}
