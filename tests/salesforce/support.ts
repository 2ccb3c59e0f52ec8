import {
    RecordsStore,
    runAction,
    runSync,
    VirtualClock,
    type ActionResult,
    type RunProgress,
    type RunSyncOptions,
    type SyncResult
} from '../../runtime/index.js';
import { verdictOfCache, type Verdict } from '../../simulators/common/truth.js';
import { SalesforceSimulator, type SalesforceSimulatorOptions } from '../../simulators/salesforce/index.js';
import { expect } from 'vitest';
import { server } from '../support/msw.js';
import { checkpointProblems } from './checkpoint-limits.js';

export const CONN = { integration: 'salesforce', connectionId: 'local' } as const;

export type SyncName = 'salesforce-leads' | 'salesforce-opportunities';
export const MODEL_OF: Record<SyncName, 'SalesforceLead' | 'SalesforceOpportunity'> = {
    'salesforce-leads': 'SalesforceLead',
    'salesforce-opportunities': 'SalesforceOpportunity'
};

type SavedCheckpoint = { phase: string; since: string; savedAtSince: string; fields: string; describedAt: string; describedFor: string };

/** One org, one Nango connection to it, one clock: what every Salesforce scenario starts from. */
export class Scenario {
    readonly clock = new VirtualClock();
    readonly sim: SalesforceSimulator;
    readonly store = new RecordsStore(':memory:');
    /** Every checkpoint a run saved, in order, as the runtime handed it to the store. */
    readonly savedCheckpoints: unknown[] = [];

    constructor(options: Omit<SalesforceSimulatorOptions, 'clock'> = {}) {
        this.sim = new SalesforceSimulator({ clock: this.clock, seed: 11, leads: 600, opportunities: 200, ...options });
        server.use(...this.sim.handlers);
        const save = this.store.saveCheckpoint.bind(this.store);
        // Nango's server refuses a checkpoint past its limits and the script's saveCheckpoint fails: so does every
        // scenario, whatever the runtime checks.
        this.store.saveCheckpoint = (conn, syncName, checkpoint) => {
            this.savedCheckpoints.push(checkpoint);
            const problems = checkpointProblems(checkpoint);
            if (problems.length > 0) throw new Error(`invalid_checkpoint_format: ${problems.join('; ')}`);
            save(conn, syncName, checkpoint);
        };
    }

    sync(
        name: SyncName,
        options: {
            stopAfterCheckpoints?: number;
            stopAfterSaves?: number;
            stopAfterHttpAnswers?: number;
            onProgress?: (progress: RunProgress) => void;
            onHttpAnswer?: RunSyncOptions['onHttpAnswer'];
            limits?: RunSyncOptions['limits'];
            accessToken?: string;
        } = {}
    ): Promise<SyncResult> {
        return runSync({
            integration: 'salesforce',
            name,
            store: this.store,
            clock: this.clock,
            connectionConfig: { instance_url: this.sim.instanceUrl },
            ...(options.accessToken ? { accessToken: options.accessToken } : {}),
            ...(options.stopAfterCheckpoints !== undefined ? { stopAfterCheckpoints: options.stopAfterCheckpoints } : {}),
            ...(options.stopAfterSaves !== undefined ? { stopAfterSaves: options.stopAfterSaves } : {}),
            ...(options.stopAfterHttpAnswers !== undefined ? { stopAfterHttpAnswers: options.stopAfterHttpAnswers } : {}),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.onHttpAnswer ? { onHttpAnswer: options.onHttpAnswer } : {}),
            ...(options.limits ? { limits: options.limits } : {})
        });
    }

    action<T>(name: 'create-lead' | 'update-opportunity', input: unknown): Promise<ActionResult<T>> {
        return runAction<T>({
            integration: 'salesforce',
            name,
            input,
            store: this.store,
            clock: this.clock,
            connectionConfig: { instance_url: this.sim.instanceUrl }
        });
    }

    /** The cache of `name`'s model against what the org holds now. */
    verdict(name: SyncName): Verdict {
        const model = MODEL_OF[name];
        return verdictOfCache(model, this.sim.truth(model), this.store.allRecords(CONN, model), (m, r) => this.sim.versionOf(m, r));
    }

    live(name: SyncName): Record<string, unknown>[] {
        return this.store.liveRecords(CONN, MODEL_OF[name]);
    }

    checkpoint(name: SyncName): SavedCheckpoint | null {
        return this.store.getCheckpoint(CONN, name) as SavedCheckpoint | null;
    }

    liveCount(objectName: 'Lead' | 'Opportunity'): number {
        return [...this.sim.store.table(objectName).values()].filter((r) => r['IsDeleted'] !== true).length;
    }

    /** Live rows of an object in the sync's order (SystemModstamp, then Id). */
    ordered(objectName: 'Lead' | 'Opportunity'): { id: string; stamp: number }[] {
        return [...this.sim.store.table(objectName).values()]
            .filter((r) => r['IsDeleted'] !== true)
            .map((r) => ({ id: String(r['Id']), stamp: r['SystemModstamp'] as number }))
            .sort((a, b) => a.stamp - b.stamp || (a.id.slice(0, 15) < b.id.slice(0, 15) ? -1 : 1));
    }
}

/** A verdict reduced to what a failing assertion should show. */
export function summary(verdict: Verdict): Record<string, unknown> {
    return {
        ok: verdict.ok,
        expected: verdict.expected,
        stored: verdict.stored,
        missing: verdict.missing.length,
        stale: verdict.stale.length,
        wronglyDeleted: verdict.wronglyDeleted.length,
        notDeleted: verdict.notDeleted.length
    };
}

export const OK = { ok: true, missing: 0, stale: 0, wronglyDeleted: 0, notDeleted: 0 };

/** An action's failure, asserting it failed. */
export function failure(result: { status: string; error?: unknown }): { error_type: string; payload: Record<string, unknown> } {
    expect(result.status).toBe('failed');
    return (result as { error: { error_type: string; payload: Record<string, unknown> } }).error;
}
