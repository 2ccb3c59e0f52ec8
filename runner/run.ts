import type { Clock } from '../runtime/clock.js';
import { runAction, runSync } from '../runtime/index.js';
import type { RecordsStore } from '../runtime/records-store.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { clip, formatInt, formatMs } from './format.js';
import { ProgressLine, type Output } from './progress.js';

/** Where a script's calls go: the simulators (their meters give quota units) or the real API. */
export interface Target {
    accessToken: string;
    connectionConfig: Record<string, string>;
    clock: Clock;
    /** The simulators behind the integration; empty in live mode. */
    simulators: Simulator[];
}

/** One row of the end-of-run table. */
export interface RunRow {
    script: string;
    phase: string;
    status: string;
    added: number;
    updated: number;
    deleted: number;
    calls: number;
    /** Quota units the simulators charged; null in live mode, where we cannot see the provider's meter. */
    units: number | null;
    wallMs: number;
    error?: string;
}

export async function runOneSync(options: {
    integration: string;
    name: string;
    phase: string;
    store: RecordsStore;
    connectionId: string;
    target: Target;
    out: Output;
}): Promise<RunRow> {
    const { target } = options;
    const before = unitsOf(target.simulators);
    const progress = new ProgressLine(options.out, `${options.name} (${options.phase})`);
    const started = performance.now();
    const result = await runSync({
        integration: options.integration,
        name: options.name,
        store: options.store,
        connectionId: options.connectionId,
        accessToken: target.accessToken,
        connectionConfig: target.connectionConfig,
        clock: target.clock,
        onProgress: (p) => progress.update(p)
    });
    const wallMs = performance.now() - started;
    options.store.kvSet(lastRunKey(options.integration, options.connectionId, options.name), result.status);
    let added = 0;
    let updated = 0;
    let deleted = 0;
    for (const counts of Object.values(result.byModel)) {
        added += counts.added;
        updated += counts.updated;
        deleted += counts.deleted;
    }
    const units = target.simulators.length > 0 ? unitsOf(target.simulators) - before : null;
    const outcome =
        result.status === 'success'
            ? `done: +${formatInt(added)} ~${formatInt(updated)} -${formatInt(deleted)}${units === null ? '' : `, ${formatInt(units)} quota units`}`
            : `${result.status.toUpperCase()}: ${result.error?.message ?? 'no message'}`;
    progress.finish(outcome, { calls: result.calls, elapsedMs: wallMs });
    // What the script flagged (an expired cursor, a skipped record) is worth seeing; info logs and the proxy's note
    // on each 4xx it does not retry (a thread deleted between list and get) are not.
    const shown = new Set<string>();
    for (const log of result.logs) {
        if ((log.level !== 'warn' && log.level !== 'error') || /^Skipping retry HTTP call/.test(log.message)) continue;
        const line = `      ${log.level}: ${clip(log.message, 300)}\n`;
        if (!shown.has(line)) options.out.write(line);
        shown.add(line);
    }
    const row: RunRow = {
        script: options.name,
        phase: options.phase,
        status: result.status,
        added,
        updated,
        deleted,
        calls: result.calls,
        units,
        wallMs
    };
    if (result.error) row.error = result.error.message;
    return row;
}

function lastRunKey(integration: string, connectionId: string, syncName: string): string {
    return `runner/last-run/${integration}/${connectionId}/${syncName}`;
}

/**
 * How a sync starts, in words. Syncs keep their cursor (history id, sync token, timestamp) in the checkpoint after a
 * run that finished, as Nango does (it never clears one by itself): only a run that did not finish leaves work to
 * resume.
 */
export function startingPoint(store: RecordsStore, integration: string, connectionId: string, syncName: string): string {
    if (store.getCheckpoint({ integration, connectionId }, syncName) === null) return 'no checkpoint: from scratch';
    const last = store.kvGet<string>(lastRunKey(integration, connectionId, syncName));
    if (last === 'success') return 'incremental, from the checkpoint its last run finished with';
    if (last === undefined) return 'from its checkpoint';
    return `resuming from its checkpoint (its last run ended: ${last})`;
}

export interface ActionRun {
    row: RunRow;
    output?: unknown;
    failure?: unknown;
}

export async function runOneAction(options: {
    integration: string;
    name: string;
    input: unknown;
    store: RecordsStore;
    connectionId: string;
    target: Target;
}): Promise<ActionRun> {
    const { target } = options;
    const before = unitsOf(target.simulators);
    const callsBefore = callsOf(target.simulators);
    const started = performance.now();
    const result = await runAction({
        integration: options.integration,
        name: options.name,
        input: options.input,
        store: options.store,
        connectionId: options.connectionId,
        accessToken: target.accessToken,
        connectionConfig: target.connectionConfig,
        clock: target.clock
    });
    const wallMs = performance.now() - started;
    const simulated = target.simulators.length > 0;
    const row: RunRow = {
        script: options.name,
        phase: 'action',
        status: result.status,
        added: 0,
        updated: 0,
        deleted: 0,
        calls: simulated ? callsOf(target.simulators) - callsBefore : 0,
        units: simulated ? unitsOf(target.simulators) - before : null,
        wallMs
    };
    if (result.status === 'success') return { row, output: result.output };
    row.error = JSON.stringify(result.error);
    return { row, failure: result.error };
}

function unitsOf(simulators: Simulator[]): number {
    return simulators.reduce((sum, sim) => sum + sim.core.meter.totals().units, 0);
}

function callsOf(simulators: Simulator[]): number {
    return simulators.reduce((sum, sim) => sum + sim.core.meter.totals().calls, 0);
}

export function describeRow(row: RunRow): string {
    return `${row.script} ${row.phase}: ${row.status}, ${formatInt(row.calls)} calls, ${formatMs(row.wallMs)}`;
}
