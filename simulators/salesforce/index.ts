/**
 * A Salesforce org behind `<instance_url>/services/data/vXX.X`: SOQL query/queryAll with cursors, describe, record
 * CRUD with the write rules of Lead and Opportunity, the rolling 24-hour API allowance, and a seeded data set.
 */
import type { HttpHandler } from 'msw';
import type { Clock } from '../../runtime/clock.js';
import { ApiCore } from '../common/core.js';
import { Random } from '../common/random.js';
import type { Simulator } from '../common/simulator.js';
import type { TruthRecord } from '../common/truth.js';
import { ACTIVITIES, applyActivity } from './activities.js';
import { salesforceErrorFormat } from './errors.js';
import { salesforceHandlers } from './handlers.js';
import { seedOrg } from './seed.js';
import { SalesforceStore, type ValidationRule } from './store.js';
import { parseDateTime, type FieldValue } from './values.js';

export { SalesforceStore } from './store.js';
export type { ValidationRule } from './store.js';
export { caseSafeSuffix, canonicalId15, to18 } from './ids.js';
export { LATEST_VERSION, OLDEST_VERSION } from './handlers.js';

export interface SalesforceSimulatorOptions {
    clock: Clock;
    seed?: number;
    /** Seeded record counts. */
    leads?: number;
    opportunities?: number;
    instanceUrl?: string;
    latencyMs?: number;
    /** API requests allowed in any rolling 24 hours (Enterprise Edition starts at 100,000). */
    dailyLimit?: number;
    accessToken?: string;
}

const MODEL_OBJECTS: Record<string, string> = { SalesforceLead: 'Lead', SalesforceOpportunity: 'Opportunity' };
const DAY = 24 * 60 * 60 * 1000;

export interface SalesforceSnapshot {
    format: 'salesforce-simulator/1';
    seed: number;
    instanceUrl: string;
    activitySeq: number;
    idCounter: number;
    users: string[];
    tables: Record<string, { fields: string[]; rows: FieldValue[][] }>;
    /** Emptied from the bin but still visible to queryAll: `[id15, deletedAt, visibleUntil]`. */
    emptied: [string, number, number][];
    physicalDeletions: Record<string, number>;
    removedFields: { object: string; field: string; at?: number }[];
    duplicateRuleOnLeadEmail: boolean;
    validationRules: ValidationRule[];
    recycleBinDays: number;
    dailyLimit: number;
}

export class SalesforceSimulator implements Simulator {
    readonly name = 'salesforce';
    readonly core: ApiCore;
    readonly store: SalesforceStore;
    readonly handlers: HttpHandler[];
    readonly instanceUrl: string;
    private readonly seed: number;
    private activitySeq = 0;

    constructor(options: SalesforceSimulatorOptions, from?: SalesforceSnapshot) {
        this.seed = from?.seed ?? options.seed ?? 1;
        this.instanceUrl = (from?.instanceUrl ?? options.instanceUrl ?? 'https://acme.my.salesforce.com').replace(/\/+$/, '');
        const dailyLimit = options.dailyLimit ?? from?.dailyLimit ?? 100_000;
        this.core = new ApiCore({
            clock: options.clock,
            errors: salesforceErrorFormat,
            ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
            ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
            limit: { capacity: dailyLimit, windowMs: DAY }
        });
        this.store = new SalesforceStore(options.clock, from?.idCounter ?? 0);
        if (from) this.load(from);
        else
            seedOrg(
                this.store,
                { seed: this.seed, leads: options.leads ?? 200, opportunities: options.opportunities ?? 100 },
                options.clock.now()
            );
        this.handlers = salesforceHandlers(this.instanceUrl, this.core, this.store);
    }

    static restore(snapshot: unknown, options: SalesforceSimulatorOptions): SalesforceSimulator {
        const data = snapshot as SalesforceSnapshot;
        if (data?.format !== 'salesforce-simulator/1') throw new Error('not a salesforce simulator snapshot');
        return new SalesforceSimulator(options, data);
    }

    activities(): { name: string; description: string }[] {
        return ACTIVITIES.map((a) => ({ ...a }));
    }

    applyActivity(name: string): string {
        this.activitySeq += 1;
        return applyActivity(this.store, name, new Random(this.seed * 7919 + this.activitySeq));
    }

    /** Live (not deleted) records of a model's object, versioned by SystemModstamp. */
    truth(model: string): TruthRecord[] {
        const objectName = MODEL_OBJECTS[model];
        if (!objectName) throw new Error(`salesforce simulator has no model ${model}`);
        this.store.purgeBin();
        const out: TruthRecord[] = [];
        for (const record of this.store.table(objectName).values()) {
            if (record['IsDeleted'] === true) continue;
            out.push({ id: String(record['Id']), version: new Date(record['SystemModstamp'] as number).toISOString() });
        }
        return out;
    }

    /** A cached record's SystemModstamp, in the same ISO form as the truth (accepts `...+0000` or `...Z`). */
    versionOf(model: string, record: Record<string, unknown>): string {
        if (!MODEL_OBJECTS[model]) throw new Error(`salesforce simulator has no model ${model}`);
        const value = record['systemModstamp'];
        const ms = typeof value === 'string' ? parseDateTime(value) : NaN;
        return Number.isNaN(ms) ? String(value) : new Date(ms).toISOString();
    }

    /** Makes the org lack a field (a switched-off feature, a custom field this org never had). */
    removeField(objectName: string, fieldName: string): void {
        this.store.schema.removeField(objectName, fieldName, this.core.clock.now());
    }

    /** API requests counted in the rolling 24 hours, as Sforce-Limit-Info reports them. */
    apiUsage(): { used: number; max: number } {
        return { used: this.core.limit.used(this.core.clock.now()), max: this.core.limit.capacity };
    }

    /** Lowers or raises the daily allowance, as an admin buying more (or a test) does. */
    setDailyLimit(max: number): void {
        this.core.limit.capacity = max;
    }

    snapshot(): SalesforceSnapshot {
        const tables: SalesforceSnapshot['tables'] = {};
        for (const objectName of this.store.schema.objectNames()) {
            const records = [...this.store.table(objectName).values()];
            const fields = [...new Set(records.flatMap((r) => Object.keys(r)))];
            tables[objectName] = { fields, rows: records.map((r) => fields.map((f) => r[f] ?? null)) };
        }
        return {
            format: 'salesforce-simulator/1',
            seed: this.seed,
            instanceUrl: this.instanceUrl,
            activitySeq: this.activitySeq,
            idCounter: this.store.ids.next,
            users: [...this.store.users],
            tables,
            emptied: this.store.emptiedEntries(),
            physicalDeletions: this.store.physicalDeletions(),
            removedFields: this.store.schema.removed.map((r) => ({ ...r })),
            duplicateRuleOnLeadEmail: this.store.duplicateRuleOnLeadEmail,
            validationRules: this.store.validationRules.map((r) => ({ ...r })),
            recycleBinDays: this.store.recycleBinDays,
            dailyLimit: this.core.limit.capacity
        };
    }

    private load(from: SalesforceSnapshot): void {
        this.activitySeq = from.activitySeq;
        this.store.users.push(...from.users);
        for (const { object, field, at } of from.removedFields) this.store.schema.removeField(object, field, at);
        this.store.duplicateRuleOnLeadEmail = from.duplicateRuleOnLeadEmail;
        this.store.validationRules = from.validationRules.map((r) => ({ ...r }));
        this.store.recycleBinDays = from.recycleBinDays;
        for (const [objectName, table] of Object.entries(from.tables)) {
            for (const row of table.rows) {
                const record: Record<string, FieldValue> = {};
                table.fields.forEach((f, i) => (record[f] = row[i] ?? null));
                // A binned record's deletion time is its last SystemModstamp: nothing touches a deleted record.
                this.store.insert(objectName, record);
            }
        }
        this.store.restoreBin(from.emptied, from.physicalDeletions);
    }
}
