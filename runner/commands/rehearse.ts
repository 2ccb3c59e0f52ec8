import { SystemClock } from '../../runtime/clock.js';
import type { RecordsStore } from '../../runtime/records-store.js';
import type { Simulator } from '../../simulators/common/simulator.js';
import type { Verdict } from '../../simulators/common/truth.js';
import { cachedLookup, INTEGRATIONS, integration as integrationOf, type IntegrationEntry, type SimulatorName } from '../catalog.js';
import { REHEARSAL_CONNECTION } from '../connections.js';
import { clip, formatInt, formatMs } from '../format.js';
import { connect } from '../push.js';
import { pushPhase, type PushPhase } from '../rehearse-push.js';
import { runOneAction, runOneSync, type RunRow, type Target } from '../run.js';
import { expireCursors, prepareSimulatedConnection } from '../setup.js';
import { loadSimulators, saveSimulators, SIMULATED_TOKEN, startSimulatedNetwork } from '../simulators.js';
import { openStore, resetConnection } from '../store.js';
import { modelVerdict, verdictDetail, verdictTable } from '../verdicts.js';
import { LOCAL_LATENCY_MS, printNotice, runTable } from './shared.js';

/** Activities that make a stored cursor (history id, sync token) invalid, forcing the next run to start over. */
const isExpiry = (activity: string) => /expir/i.test(activity);

const out = (text = '') => process.stdout.write(`${text}\n`);

/**
 * The rehearsal: for each integration, on fresh simulated providers, every sync from scratch; provider activity;
 * every sync again (incremental); a lapse that expires the cursors plus more activity; every sync again (a full
 * resync that must notice deletions); every action once; the syncs that see the actions' writes; and a verdict
 * comparing the cache with each simulator's ground truth. Returns the exit code.
 */
export async function rehearse(options: { only?: string }): Promise<number> {
    const started = performance.now();
    printNotice();
    const entries = options.only === undefined ? INTEGRATIONS : [integrationOf(options.only)];
    const store = openStore();
    const rows: RunRow[] = [];
    const verdicts: Verdict[] = [];
    try {
        resetConnection(store, REHEARSAL_CONNECTION);
        out(
            `Rehearsal on simulated providers (connection "${REHEARSAL_CONNECTION}", ${LOCAL_LATENCY_MS} ms per call, provider quotas on).`
        );
        for (const entry of entries) {
            const result = await rehearseIntegration(entry, store);
            rows.push(...result.rows);
            verdicts.push(...result.verdicts);
        }
    } finally {
        store.close();
    }

    out('\nRuns');
    out(runTable(rows));
    out('\nVerdict: the cache against each simulator’s ground truth');
    out(verdictTable(verdicts));
    const failedRuns = rows.filter((row) => row.status !== 'success');
    for (const verdict of verdicts.filter((v) => !v.ok)) out(verdictDetail(verdict));
    for (const row of failedRuns) out(`  ${row.script} (${row.phase}) ${row.status}: ${row.error ?? ''}`);
    const ok = failedRuns.length === 0 && verdicts.every((v) => v.ok);
    out(
        ok
            ? `\nPASS: every model matches its provider (${formatMs(performance.now() - started)}). Explore: npm start -- records GmailThread --limit 3`
            : `\nFAIL: ${failedRuns.length} run(s) failed, ${verdicts.filter((v) => !v.ok).length} model(s) differ from their provider.`
    );
    return ok ? 0 : 1;
}

async function rehearseIntegration(entry: IntegrationEntry, store: RecordsStore): Promise<{ rows: RunRow[]; verdicts: Verdict[] }> {
    out(`\n== ${entry.title} ==`);
    const clock = new SystemClock();
    const sims = loadSimulators(store, REHEARSAL_CONNECTION, entry.simulators, { clock, latencyMs: LOCAL_LATENCY_MS, limits: true });
    for (const [name, sim] of sims) out(`  ${name}: seeded ${describeSize(entry, name, sim)}`);
    const connectionConfig = prepareSimulatedConnection(store, entry.id, REHEARSAL_CONNECTION, sims);
    const target: Target = { accessToken: SIMULATED_TOKEN, connectionConfig, clock, simulators: [...sims.values()] };
    const server = startSimulatedNetwork(sims.values());
    const rows: RunRow[] = [];
    const syncAll = async (phase: string, names = entry.syncs.map((s) => s.name)) => {
        for (const name of names) {
            rows.push(
                await runOneSync({
                    integration: entry.id,
                    name,
                    phase,
                    store,
                    connectionId: REHEARSAL_CONNECTION,
                    target,
                    out: process.stdout
                })
            );
        }
    };
    const pushVerdicts: Verdict[] = [];
    try {
        if (entry.push) {
            const connected = await connect({
                store,
                integration: entry.id,
                connectionId: REHEARSAL_CONNECTION,
                target,
                out: { write: (text: string) => process.stdout.write(`  ${text}`) },
                metadata: {
                    ...(store.getMetadata({ integration: entry.id, connectionId: REHEARSAL_CONNECTION }) ?? {}),
                    ...entry.push.metadata
                }
            });
            if (!connected.ok) rows.push(failedStep('connect', connected.reason));
        }
        await syncAll('initial');

        out('  activity at the provider:');
        applyActivities(sims, (name) => !isExpiry(name));
        let pushed: PushPhase | undefined;
        if (entry.push) {
            pushed = await pushPhase({
                store,
                integration: entry.id,
                connectionId: REHEARSAL_CONNECTION,
                simulators: [...sims.values()],
                target,
                syncs: entry.syncs,
                verdictOf: (model) => verdictOfModel(store, entry, model, sims),
                out: process.stdout
            });
            rows.push(...pushed.rows);
            pushVerdicts.push(...pushed.verdicts);
        }
        await syncAll('incremental');
        const movedBack = pushed?.movedBack() ?? [];
        if (movedBack.length > 0)
            rows.push(failedStep('poll after push', `the poll changed what the push wrote: ${movedBack.slice(0, 5).join(', ')}`));

        // Activity first, then the lapse: the history the stored cursors point into is gone, changes and all.
        out('  more activity, then a lapse that expires the stored cursors:');
        applyActivities(sims, (name) => !isExpiry(name));
        for (const [name, sim] of sims) {
            for (const line of expireCursors(store, entry.id, REHEARSAL_CONNECTION, sim)) out(`    ${name} ${line}`);
        }
        await syncAll('after expiry');

        for (const action of entry.actions) {
            const input = action.sample(cachedLookup(store, entry.id, REHEARSAL_CONNECTION));
            const run = await runOneAction({
                integration: entry.id,
                name: action.name,
                input,
                store,
                connectionId: REHEARSAL_CONNECTION,
                target
            });
            rows.push(run.row);
            out(
                run.row.status === 'success'
                    ? `  ${action.name}: ${clip(JSON.stringify(run.output), 110)}`
                    : `  ${action.name} FAILED: ${clip(JSON.stringify(run.failure), 300)}`
            );
        }
        await syncAll('after actions', [...new Set(entry.actions.flatMap((action) => action.resyncs))]);

        const verdicts = entry.syncs.flatMap((sync) =>
            sync.models.map((m) => modelVerdict(store, entry.id, REHEARSAL_CONNECTION, m.model, sims.get(m.simulator)!))
        );
        return { rows, verdicts: [...pushVerdicts, ...verdicts] };
    } finally {
        saveSimulators(store, REHEARSAL_CONNECTION, sims);
        server.close();
    }
}

function verdictOfModel(store: RecordsStore, entry: IntegrationEntry, model: string, sims: ReadonlyMap<SimulatorName, Simulator>): Verdict {
    const simulator = entry.syncs.flatMap((sync) => sync.models).find((m) => m.model === model)!.simulator;
    return modelVerdict(store, entry.id, REHEARSAL_CONNECTION, model, sims.get(simulator)!);
}

/** A rehearsal step that is not a script run, failed, as a row of the run table. */
function failedStep(script: string, error: string): RunRow {
    return { script, phase: 'push', status: 'failed', added: 0, updated: 0, deleted: 0, calls: 0, units: null, wallMs: 0, error };
}

function applyActivities(sims: ReadonlyMap<SimulatorName, Simulator>, pick: (activity: string) => boolean): void {
    for (const [name, sim] of sims) {
        for (const activity of sim.activities().filter((a) => pick(a.name))) {
            out(`    ${name} ${activity.name}: ${sim.applyActivity(activity.name)}`);
        }
    }
}

function describeSize(entry: IntegrationEntry, name: SimulatorName, sim: Simulator): string {
    const models = entry.syncs.flatMap((sync) => sync.models).filter((m) => m.simulator === name);
    return models.map((m) => `${formatInt(sim.truth(m.model).length)} ${m.model}`).join(', ');
}
