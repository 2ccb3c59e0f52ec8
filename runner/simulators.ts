import { setupServer, type SetupServer } from 'msw/node';
import type { Clock } from '../runtime/clock.js';
import type { RecordsStore } from '../runtime/records-store.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { CalendarSimulator } from '../simulators/calendar/index.js';
import { GmailSimulator } from '../simulators/gmail/index.js';
import { PeopleSimulator } from '../simulators/people/index.js';
import { SalesforceSimulator } from '../simulators/salesforce/index.js';
import type { SimulatorName } from './catalog.js';
import { simulatorKeyPrefix } from './store.js';

/** The token the simulators accept, and the runner sends, when no real API is involved. */
export const SIMULATED_TOKEN = 'local-simulated-token';
/** The instance the simulated Salesforce org answers on. */
export const SIMULATED_SALESFORCE_INSTANCE = 'https://rehearsal.my.salesforce.com';

export interface SimulatorSettings {
    clock: Clock;
    seed: number;
    /** The main collection's size: threads, contacts, leads, events (across calendars). */
    size: number;
    /** Salesforce only: opportunities (default: half the leads). */
    secondarySize?: number;
    latencyMs: number;
    /** The provider's per-user limits (Gmail units per minute, Calendar requests per minute, Salesforce daily). */
    limits: boolean;
}

interface Factory {
    create(settings: SimulatorSettings): Simulator;
    restore(snapshot: unknown, settings: Omit<SimulatorSettings, 'seed' | 'size'>): Simulator;
}

/** One adapter per simulator: their constructors name their sizes and limits differently. */
const FACTORIES: Record<SimulatorName, Factory> = {
    gmail: {
        create: (s) => new GmailSimulator({ ...common(s), seed: s.seed, threads: s.size, quota: s.limits }),
        restore: (snapshot, s) => GmailSimulator.restore(snapshot, { ...common(s), quota: s.limits })
    },
    people: {
        create: (s) => new PeopleSimulator({ ...common(s), seed: s.seed, contacts: s.size, quota: s.limits }),
        restore: (snapshot, s) => PeopleSimulator.restore(snapshot, { ...common(s), quota: s.limits })
    },
    calendar: {
        create: (s) => new CalendarSimulator({ ...common(s), seed: s.seed, events: s.size, quota: s.limits }),
        restore: (snapshot, s) => CalendarSimulator.restore(snapshot, { ...common(s), quota: s.limits })
    },
    // Salesforce's only limit is the rolling daily allowance, always on; "off" means an allowance nobody reaches.
    salesforce: {
        create: (s) =>
            new SalesforceSimulator({
                ...common(s),
                seed: s.seed,
                leads: s.size,
                opportunities: s.secondarySize ?? Math.ceil(s.size / 2),
                instanceUrl: SIMULATED_SALESFORCE_INSTANCE,
                ...(s.limits ? {} : { dailyLimit: Number.MAX_SAFE_INTEGER })
            }),
        restore: (snapshot, s) => SalesforceSimulator.restore(snapshot, common(s))
    }
};

function common(s: Omit<SimulatorSettings, 'seed' | 'size'>): { clock: Clock; latencyMs: number; accessToken: string } {
    return { clock: s.clock, latencyMs: s.latencyMs, accessToken: SIMULATED_TOKEN };
}

function factory(name: SimulatorName): Factory {
    return FACTORIES[name];
}

export function createSimulator(name: SimulatorName, settings: SimulatorSettings): Simulator {
    return factory(name).create(settings);
}

/** Sizes of the data the runner seeds on first use: realistic shapes, small enough for a rehearsal in a minute or two. */
export const LOCAL_SIZES: Record<SimulatorName, number> = { gmail: 120, people: 150, salesforce: 240, calendar: 200 };

/** Different seeds per simulator so their data sets do not look alike. */
const SEEDS: Record<SimulatorName, number> = { gmail: 1101, people: 2202, salesforce: 3303, calendar: 4404 };

/**
 * The simulated providers of a connection, as the last command left them (seeded on first use). Their state is a
 * row in the store's key-value table, so `simulate` and `sync` in separate invocations see the same provider.
 */
export function loadSimulators(
    store: RecordsStore,
    connectionId: string,
    names: readonly SimulatorName[],
    settings: Omit<SimulatorSettings, 'seed' | 'size'>
): Map<SimulatorName, Simulator> {
    const sims = new Map<SimulatorName, Simulator>();
    for (const name of names) {
        const snapshot = store.kvGet(simulatorKeyPrefix(connectionId) + name);
        sims.set(
            name,
            snapshot === undefined
                ? factory(name).create({ ...settings, seed: SEEDS[name], size: LOCAL_SIZES[name] })
                : factory(name).restore(snapshot, settings)
        );
    }
    return sims;
}

export function saveSimulators(store: RecordsStore, connectionId: string, sims: ReadonlyMap<SimulatorName, Simulator>): void {
    for (const [name, sim] of sims) store.kvSet(simulatorKeyPrefix(connectionId) + name, sim.snapshot());
}

/**
 * msw in this process: requests to the simulated providers are answered by the simulators; any other request is an
 * error, so a simulated run can never reach a real API by mistake.
 */
export function startSimulatedNetwork(sims: Iterable<Simulator>): SetupServer {
    const server = setupServer(...[...sims].flatMap((sim) => sim.handlers));
    server.listen({ onUnhandledFrame: 'error' });
    return server;
}
