import { SystemClock } from '../../runtime/clock.js';
import type { RecordsStore } from '../../runtime/records-store.js';
import type { Verdict } from '../../simulators/common/truth.js';
import { INTEGRATIONS, integration as integrationOf } from '../catalog.js';
import { DEFAULT_CONNECTION, REHEARSAL_CONNECTION } from '../connections.js';
import { UserError } from '../errors.js';
import type { Output } from '../progress.js';
import { loadSimulators } from '../simulators.js';
import { openStore, simulatorKeyPrefix } from '../store.js';
import { modelVerdict, verdictDetail, verdictTable } from '../verdicts.js';

export interface VerifyOptions {
    integration?: string | undefined;
    /** Default: `local`, or the rehearsal's connection when `local` has no simulated provider yet. */
    connection?: string | undefined;
}

/** `npm start -- verify`: opens the local store and verifies; the exit code is 1 when any model differs. */
export async function verifyCommand(options: VerifyOptions): Promise<number> {
    const store = openStore();
    try {
        return verify(store, options, process.stdout);
    } finally {
        store.close();
    }
}

/**
 * Prints a connection's cache against the ground truth of the simulated providers it was synced from, without
 * changing either. Only simulated providers have a truth to compare with: a live connection has none.
 */
export function verify(store: RecordsStore, options: VerifyOptions, out: Output): number {
    const entries = options.integration === undefined ? INTEGRATIONS : [integrationOf(options.integration)];
    const simulated = (connectionId: string) =>
        entries.some((entry) => entry.simulators.some((name) => store.kvGet(simulatorKeyPrefix(connectionId) + name) !== undefined));
    const connectionId =
        options.connection ??
        (simulated(DEFAULT_CONNECTION) || !simulated(REHEARSAL_CONNECTION) ? DEFAULT_CONNECTION : REHEARSAL_CONNECTION);
    if (!simulated(connectionId)) {
        throw new UserError(
            `connection "${connectionId}" has no simulated provider${options.integration ? ` for ${options.integration}` : ''} to verify against: ` +
                'run a sync on it first (npm start -- sync <integration> <sync>), or the rehearsal (npm start)'
        );
    }

    const verdicts: Verdict[] = [];
    const skipped: string[] = [];
    const hints: string[] = [];
    for (const entry of entries) {
        const present = entry.simulators.filter((name) => store.kvGet(simulatorKeyPrefix(connectionId) + name) !== undefined);
        const sims = loadSimulators(store, connectionId, present, { clock: new SystemClock(), latencyMs: 0, limits: false });
        for (const sync of entry.syncs) {
            for (const m of sync.models) {
                const sim = sims.get(m.simulator);
                if (!sim) {
                    skipped.push(`${m.model} (${entry.id}: no simulated ${m.simulator} on this connection yet)`);
                    continue;
                }
                const verdict = modelVerdict(store, entry.id, connectionId, m.model, sim);
                verdicts.push(verdict);
                if (verdict.stored === 0 && verdict.expected > 0)
                    hints.push(`${m.model} is empty: npm start -- sync ${entry.id} ${sync.name}`);
            }
        }
    }

    out.write(`Cache of connection "${connectionId}" against the simulated providers' ground truth\n`);
    out.write(`${verdictTable(verdicts)}\n`);
    for (const verdict of verdicts.filter((v) => !v.ok)) out.write(`${verdictDetail(verdict)}\n`);
    for (const line of skipped) out.write(`  not verified: ${line}\n`);
    for (const line of hints) out.write(`  ${line}\n`);
    const differing = verdicts.filter((v) => !v.ok).length;
    out.write(
        differing === 0
            ? `OK: ${verdicts.length} model(s) match their provider\n`
            : `DIFFERS: ${differing} model(s) differ from their provider\n`
    );
    return differing === 0 ? 0 : 1;
}
