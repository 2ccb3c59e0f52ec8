import { NangoSyncBase } from '@nangohq/runner-sdk';
import type { Nango } from '@nangohq/node';
import type { NangoProps } from '@nangohq/types';
import { checkRecordsRequest, type RecordsWrite } from './platform-limits.js';
import type { CachedRecord, WriteSummary } from './records-store.js';
import type { RunContext } from './run-context.js';
import { boundToRun } from './run-bound.js';
import type { ModelValidator } from './validation.js';

export interface ModelCounts {
    added: number;
    updated: number;
    deleted: number;
}

/** A saved record that does not match its model, as `nango dryrun --validate` refuses it. */
export class InvalidRecordError extends Error {
    readonly code = 'invalid_sync_record';

    constructor(
        readonly model: string,
        readonly recordId: string,
        readonly problems: string[]
    ) {
        super(`Invalid ${model} record "${recordId}": ${problems.join('; ')}`);
        this.name = 'InvalidRecordError';
    }
}

/** Nango's runner sends records to its persist service in chunks of this size. */
const BATCH_SIZE = 1000;
const LIST_PAGE_SIZE = 1000;

/**
 * The `nango` object a sync receives: runner-sdk's NangoSyncBase (so `paginate`, `getConnection`, `getMetadata`
 * are Nango's own code) with records, checkpoints and HTTP wired to the local run.
 */
export class LocalNangoSync extends boundToRun(NangoSyncBase<never, never, never>) {
    override nango: Nango;
    readonly byModel: Record<string, ModelCounts> = {};
    private readonly runMark: number;
    /** Per model: Nango's merging strategy, with its cursor for `ignore_if_modified_after` (null: no record yet). */
    private readonly merging = new Map<string, { strategy: string; cursor: number | null }>();

    constructor(
        props: NangoProps,
        protected readonly run: RunContext,
        private readonly validator: ModelValidator,
        readonly modelNames: string[]
    ) {
        super(props);
        this.nango = run.client();
        this.runMark = run.store.trackDeletesStart();
        for (const model of modelNames) this.byModel[model] = { added: 0, updated: 0, deleted: 0 };
    }

    override async batchSave(results: Record<string, unknown>[], model: string): Promise<boolean> {
        this.run.guard();
        if (!results || results.length === 0) return true;
        this.checkModel(model);
        const records = this.removeMetadata(results);
        for (const record of records) {
            const problems = this.validator.problems(model, record);
            if (problems.length > 0) throw new InvalidRecordError(model, String(record['id'] ?? '(no id)'), problems);
        }
        for (let i = 0; i < records.length; i += BATCH_SIZE) {
            const chunk = this.request('save', model, records.slice(i, i + BATCH_SIZE));
            this.count(model, this.merged(model, this.run.store.saveRecords(this.run.conn, model, chunk, this.writeOptions(model))));
        }
        this.run.recordsSaved += records.length;
        this.run.progress();
        this.run.saved();
        return true;
    }

    override async batchDelete(results: { id: unknown }[], model: string): Promise<boolean> {
        this.run.guard();
        if (!results || results.length === 0) return true;
        this.checkModel(model);
        const records = this.removeMetadata(results);
        for (let i = 0; i < records.length; i += BATCH_SIZE) {
            const chunk = this.request('delete', model, records.slice(i, i + BATCH_SIZE));
            this.count(model, this.merged(model, this.run.store.deleteRecords(this.run.conn, model, chunk, this.writeOptions(model))));
        }
        this.run.saved();
        return true;
    }

    override async batchUpdate(results: Record<string, unknown>[], model: string): Promise<boolean> {
        this.run.guard();
        if (!results || results.length === 0) return true;
        this.checkModel(model);
        const records = this.removeMetadata(results);
        for (let i = 0; i < records.length; i += BATCH_SIZE) {
            const chunk = this.request('update', model, records.slice(i, i + BATCH_SIZE));
            this.count(model, this.merged(model, this.run.store.updateRecords(this.run.conn, model, chunk, this.writeOptions(model))));
        }
        this.run.saved();
        return true;
    }

    override async getRecordsByIds<K = string | number, T = CachedRecord>(ids: K[], model: string): Promise<Map<K, T>> {
        this.run.guard();
        const found = this.run.store.getRecordsByIds(
            this.run.conn,
            model,
            ids.map((id) => String(id))
        );
        const byOriginalId = new Map<K, T>();
        for (const id of ids) {
            const record = found.get(String(id));
            if (record) byOriginalId.set(id, record as T);
        }
        return byOriginalId;
    }

    override async *listRecords<T = CachedRecord>(model: string, options?: { cursor?: string }): AsyncGenerator<T> {
        let cursor = options?.cursor;
        for (;;) {
            this.run.guard();
            const page = this.run.store.listRecords({ ...this.run.conn, model, cursor, limit: LIST_PAGE_SIZE });
            yield* page.records as T[];
            if (!page.next_cursor) return;
            cursor = page.next_cursor;
        }
    }

    override async trackDeletesStart(model: string): Promise<void> {
        this.run.guard();
        this.checkModel(model);
        this.run.store.openDeleteWindow(this.run.conn, model);
    }

    override async trackDeletesEnd(model: string): Promise<{ deletedKeys: string[] }> {
        this.run.guard();
        const deletedKeys = this.run.store.closeDeleteWindow(this.run.conn, model, { now: this.run.now });
        if (deletedKeys === undefined) throw new Error(`trackDeletesEnd(${model}) without an open trackDeletesStart(${model})`);
        this.countDeleted(model, deletedKeys.length);
        return { deletedKeys };
    }

    /** Deprecated in Nango; deletes what this run did not save, like trackDeletesStart at the run's start. */
    override async deleteRecordsFromPreviousExecutions(model: string): Promise<{ deletedKeys: string[] }> {
        this.run.guard();
        const deletedKeys = this.run.store.deleteUnseenSince(this.run.conn, model, this.runMark, { now: this.run.now });
        this.countDeleted(model, deletedKeys.length);
        return { deletedKeys };
    }

    /**
     * As Nango's runner does it (packages/runner/lib/sdk/sdk.ts setMergingStrategy): `ignore_if_modified_after` takes
     * the model's last record cursor (persist getCursor, offset `last`); each write then leaves alone the stored
     * records changed after that cursor (by a webhook meanwhile), and the cursor moves to the last record the write
     * changed (the records service's `nextMerging`), so the run's own writes never block its later ones.
     */
    override async setMergingStrategy(merging: { strategy: 'ignore_if_modified_after' | 'override' }, model: string): Promise<void> {
        this.run.guard();
        if (this.merging.has(model)) {
            this.run.log('warn', `Merging strategy for model ${model} is already set. Skipping`);
            return;
        }
        const cursor = merging.strategy === 'ignore_if_modified_after' ? this.run.store.lastRecordSeq(this.run.conn, model) : null;
        this.merging.set(model, { strategy: merging.strategy, cursor });
        this.run.log('info', `Merging strategy set to '${merging.strategy}' for model ${model}.`);
    }

    private writeOptions(model: string): { now: number; notModifiedAfter?: number | null } {
        const merging = this.merging.get(model);
        if (merging?.strategy !== 'ignore_if_modified_after') return { now: this.run.now };
        return { now: this.run.now, notModifiedAfter: merging.cursor };
    }

    private merged(model: string, summary: WriteSummary): WriteSummary {
        const merging = this.merging.get(model);
        if (merging && summary.lastChanged !== undefined) merging.cursor = summary.lastChanged;
        return summary;
    }

    /**
     * One chunk as the runner sends it to persist, refused as persist refuses it. Chunks go one after the other, so
     * the chunks before a refused one are stored, as on Nango.
     */
    private request<T>(write: RecordsWrite, model: string, chunk: T[]): T[] {
        const strategy = this.merging.get(model)?.strategy;
        checkRecordsRequest(
            write,
            {
                model,
                records: chunk,
                providerConfigKey: this.run.conn.integration,
                connectionId: this.run.conn.connectionId,
                merging: { strategy: strategy === 'ignore_if_modified_after' ? 'ignore_if_modified_after_cursor' : 'override' }
            },
            this.run.limits
        );
        return chunk;
    }

    private checkModel(model: string): void {
        if (!this.modelNames.includes(model)) {
            throw new Error(`Model '${model}' is not declared by this sync (models: ${this.modelNames.join(', ') || 'none'})`);
        }
    }

    private count(model: string, summary: WriteSummary): void {
        const counts = (this.byModel[model] ??= { added: 0, updated: 0, deleted: 0 });
        counts.added += summary.added.length;
        counts.updated += summary.updated.length;
        counts.deleted += summary.deleted.length;
    }

    private countDeleted(model: string, n: number): void {
        const counts = (this.byModel[model] ??= { added: 0, updated: 0, deleted: 0 });
        counts.deleted += n;
    }
}
