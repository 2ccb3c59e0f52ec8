import { SystemClock } from '../../runtime/clock.js';
import { integrationOfSimulator, simulatorFor, type SimulatorName } from '../catalog.js';
import type { SimulateCommandOptions } from '../cli.js';
import { DEFAULT_CONNECTION } from '../connections.js';
import { UserError } from '../errors.js';
import { createSimulator, loadSimulators, saveSimulators } from '../simulators.js';
import { openStore } from '../store.js';

const ALL: SimulatorName[] = ['gmail', 'people', 'calendar', 'salesforce'];
const MAX_COUNT = 10_000;
/** Summaries printed in full; past this, the first and last ones stand for the rest. */
const SHOWN_SUMMARIES = 5;

/** Every simulator's activities, for `simulate --help` and `simulate` without arguments. */
export function activityCatalog(): string {
    const lines = ['Activities by provider (gmail = google-mail mailbox, people = google-mail contacts, calendar = google-calendar):'];
    for (const name of ALL) {
        lines.push(`  ${name}:`);
        try {
            const sim = createSimulator(name, { clock: new SystemClock(), seed: 1, size: 1, latencyMs: 0, limits: false });
            for (const activity of sim.activities()) lines.push(`    ${activity.name.padEnd(22)} ${activity.description}`);
        } catch (err) {
            lines.push(`    (unavailable: ${(err as Error).message})`);
        }
    }
    return lines.join('\n');
}

export async function simulateCommand(
    provider: string | undefined,
    activity: string | undefined,
    options: SimulateCommandOptions
): Promise<number> {
    if (provider === undefined) {
        process.stdout.write(`${activityCatalog()}\n\nUsage: npm start -- simulate <provider> <activity> [--count N]\n`);
        return 0;
    }
    const name = simulatorFor(provider);
    const count = parseCount(options.count);
    const connectionId = options.connection ?? DEFAULT_CONNECTION;
    const store = openStore();
    try {
        const sims = loadSimulators(store, connectionId, [name], { clock: new SystemClock(), latencyMs: 0, limits: true });
        const sim = sims.get(name)!;
        const known = sim.activities();
        if (activity === undefined) {
            process.stdout.write(`Activities of ${name}:\n${known.map((a) => `  ${a.name.padEnd(22)} ${a.description}`).join('\n')}\n`);
            return 0;
        }
        if (!known.some((a) => a.name === activity)) {
            throw new UserError(`unknown activity "${activity}" for ${name}; known: ${known.map((a) => a.name).join(', ')}`);
        }
        const summaries: string[] = [];
        let failure: Error | undefined;
        try {
            for (let i = 0; i < count; i++) summaries.push(sim.applyActivity(activity));
        } catch (err) {
            failure = err as Error;
        }
        // What was applied before a failure stays applied, as it would at the provider.
        if (summaries.length > 0) saveSimulators(store, connectionId, sims);
        process.stdout.write(`${name} (${connectionId}): ${describe(activity, summaries)}\n`);
        if (failure) {
            throw new UserError(`${activity} failed after ${summaries.length} of ${count} times: ${failure.message}`);
        }
        const entry = integrationOfSimulator(name);
        const syncs = entry.syncs.filter((sync) => sync.models.some((m) => m.simulator === name)).map((sync) => sync.name);
        process.stdout.write(`Run the sync to pick it up: ${syncs.map((sync) => `npm start -- sync ${entry.id} ${sync}`).join(' ; ')}\n`);
        return 0;
    } finally {
        store.close();
    }
}

function parseCount(raw: string | undefined): number {
    if (raw === undefined) return 1;
    const count = Number(raw);
    if (!/^\d+$/.test(raw) || count < 1 || count > MAX_COUNT) {
        throw new UserError(`--count must be a whole number from 1 to ${MAX_COUNT}, got "${raw}"`);
    }
    return count;
}

function describe(activity: string, summaries: readonly string[]): string {
    if (summaries.length === 0) return `${activity}: nothing applied`;
    if (summaries.length === 1) return summaries[0]!;
    const head = `${activity} ${summaries.length} times:`;
    if (summaries.length <= SHOWN_SUMMARIES) return [head, ...summaries.map((s) => `  ${s}`)].join('\n');
    const skipped = summaries.length - 2;
    return [head, `  ${summaries[0]}`, `  ... ${skipped} more ...`, `  ${summaries[summaries.length - 1]}`].join('\n');
}
