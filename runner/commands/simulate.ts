import { SystemClock } from '../../runtime/clock.js';
import { integrationOfSimulator, simulatorFor, type SimulatorName } from '../catalog.js';
import { DEFAULT_CONNECTION } from '../connections.js';
import { UserError } from '../errors.js';
import { createSimulator, loadSimulators, saveSimulators } from '../simulators.js';
import { openStore } from '../store.js';

const ALL: SimulatorName[] = ['gmail', 'people', 'calendar', 'salesforce'];

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
    options: { connection?: string }
): Promise<number> {
    if (provider === undefined) {
        process.stdout.write(`${activityCatalog()}\n\nUsage: npm start -- simulate <provider> <activity>\n`);
        return 0;
    }
    const name = simulatorFor(provider);
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
        const summary = sim.applyActivity(activity);
        saveSimulators(store, connectionId, sims);
        const entry = integrationOfSimulator(name);
        const syncs = entry.syncs.filter((sync) => sync.models.some((m) => m.simulator === name)).map((sync) => sync.name);
        process.stdout.write(`${name} (${connectionId}): ${summary}\n`);
        process.stdout.write(`Run the sync to pick it up: ${syncs.map((sync) => `npm start -- sync ${entry.id} ${sync}`).join(' ; ')}\n`);
        return 0;
    } finally {
        store.close();
    }
}
