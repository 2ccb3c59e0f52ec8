import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SystemClock } from '../../runtime/clock.js';
import type { RecordsStore } from '../../runtime/records-store.js';
import type { Simulator } from '../../simulators/common/simulator.js';
import type { IntegrationEntry, SimulatorName } from '../catalog.js';
import { NOTICE } from '../notice.js';
import { UserError } from '../errors.js';
import { formatInt, formatMs, textTable } from '../format.js';
import { liveCredentials, redactOutput } from '../live.js';
import type { RunRow, Target } from '../run.js';
import { prepareSimulatedConnection } from '../setup.js';
import { loadSimulators, saveSimulators, SIMULATED_TOKEN, startSimulatedNetwork } from '../simulators.js';

/** Latency of each simulated call in `sync`/`action`: enough to make progress visible, small enough to stay quick. */
export const LOCAL_LATENCY_MS = 5;

export function printNotice(): void {
    process.stdout.write(`${NOTICE}\n\n`);
}

/**
 * The directory the user typed the command in. `npm start` runs the runner from the repository root whatever the
 * caller's directory, and says where the caller was in INIT_CWD (npm's documented variable for this).
 */
export function callerDirectory(env: NodeJS.ProcessEnv = process.env): string {
    return env['INIT_CWD'] || process.cwd();
}

/** JSON given inline or as `@file.json`, a path relative to the caller's directory. */
export function readJsonArgument(value: string, flag: string, env: NodeJS.ProcessEnv = process.env): unknown {
    let text = value;
    if (value.startsWith('@')) {
        const file = resolve(callerDirectory(env), value.slice(1));
        try {
            text = readFileSync(file, 'utf8');
        } catch (err) {
            throw new UserError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
        }
    }
    try {
        return JSON.parse(text) as unknown;
    } catch (err) {
        throw new UserError(`${flag} is not valid JSON: ${(err as Error).message}`);
    }
}

/**
 * Sets up where a command's calls go. Live: the real API, tokens from the environment, output redacted from then
 * on. Simulated: the connection's simulators restored from the store and msw answering for them; `finish` saves
 * their state back and stops msw.
 */
export function openTarget(
    entry: IntegrationEntry,
    store: RecordsStore,
    connectionId: string,
    live: boolean,
    simulators: readonly SimulatorName[] = entry.simulators
): { target: Target; finish: () => void } {
    const clock = new SystemClock();
    if (live) {
        const credentials = liveCredentials(entry.id);
        redactOutput(credentials.secrets);
        return {
            target: { accessToken: credentials.accessToken, connectionConfig: credentials.connectionConfig, clock, simulators: [] },
            finish: () => undefined
        };
    }
    const sims: Map<SimulatorName, Simulator> = loadSimulators(store, connectionId, simulators, {
        clock,
        latencyMs: LOCAL_LATENCY_MS,
        limits: true
    });
    const connectionConfig = prepareSimulatedConnection(store, entry.id, connectionId, sims);
    const server = startSimulatedNetwork(sims.values());
    return {
        target: { accessToken: SIMULATED_TOKEN, connectionConfig, clock, simulators: [...sims.values()] },
        finish: () => {
            saveSimulators(store, connectionId, sims);
            server.close();
        }
    };
}

export function runTable(rows: readonly RunRow[]): string {
    return textTable(
        [
            { title: 'script' },
            { title: 'run' },
            { title: 'status' },
            { title: 'added', align: 'right' },
            { title: 'updated', align: 'right' },
            { title: 'deleted', align: 'right' },
            { title: 'API calls', align: 'right' },
            { title: 'quota units', align: 'right' },
            { title: 'wall time', align: 'right' }
        ],
        rows.map((row) => [
            row.script,
            row.phase,
            row.status,
            formatInt(row.added),
            formatInt(row.updated),
            formatInt(row.deleted),
            formatInt(row.calls),
            row.units === null ? 'n/a (live)' : formatInt(row.units),
            formatMs(row.wallMs)
        ])
    );
}
