/**
 * The syncs the bench measures: how to seed a simulator holding `size` records of the synced model, and the data
 * shape the cost floor is computed from.
 */
import type { Clock } from '../runtime/clock.js';
import type { RecordsStore } from '../runtime/records-store.js';
import { CalendarSimulator } from '../simulators/calendar/index.js';
import type { Simulator } from '../simulators/common/simulator.js';
import type { IntegrationId, SimulatorName } from '../runner/catalog.js';
import { prepareSimulatedConnection } from '../runner/setup.js';
import { createSimulator, SIMULATED_TOKEN } from '../runner/simulators.js';
import { GmailSimulator } from '../simulators/gmail/index.js';
import type { DataShape } from './costs.js';

export interface BenchCase {
    sync: string;
    integration: IntegrationId;
    model: string;
    simulator: SimulatorName;
    /** A simulator whose `model` holds about `size` records, with the provider's limits on. */
    create(size: number, clock: Clock, latencyMs: number, data?: DataOptions): Simulator;
}

/** What the bench may change in a case's data beyond its size. */
export interface DataOptions {
    /** Gmail: share of threads holding a single message (simulators/gmail/store.ts); the seed's default when absent. */
    singleMessageShare?: number | undefined;
}

const SEED = 20260115;

export const CASES: BenchCase[] = [
    {
        sync: 'gmail-threads',
        integration: 'google-mail',
        model: 'GmailThread',
        simulator: 'gmail',
        create: (size, clock, latencyMs, data) =>
            new GmailSimulator({
                clock,
                seed: SEED,
                threads: size,
                latencyMs,
                accessToken: SIMULATED_TOKEN,
                ...(data?.singleMessageShare === undefined ? {} : { singleMessageShare: data.singleMessageShare })
            })
    },
    {
        sync: 'gmail-contacts',
        integration: 'google-mail',
        model: 'GoogleContact',
        simulator: 'people',
        create: (size, clock, latencyMs) => createSimulator('people', { clock, seed: SEED, size, latencyMs, limits: true })
    },
    {
        sync: 'salesforce-leads',
        integration: 'salesforce',
        model: 'SalesforceLead',
        simulator: 'salesforce',
        create: (size, clock, latencyMs) =>
            createSimulator('salesforce', { clock, seed: SEED, size, secondarySize: 10, latencyMs, limits: true })
    },
    {
        sync: 'salesforce-opportunities',
        integration: 'salesforce',
        model: 'SalesforceOpportunity',
        simulator: 'salesforce',
        create: (size, clock, latencyMs) =>
            createSimulator('salesforce', { clock, seed: SEED, size: 10, secondarySize: size, latencyMs, limits: true })
    },
    {
        sync: 'events',
        integration: 'google-calendar',
        model: 'GoogleCalendarEvent',
        simulator: 'calendar',
        create: (size, clock, latencyMs) => createSimulator('calendar', { clock, seed: SEED, size, latencyMs, limits: true })
    }
];

/**
 * Connection config and metadata for the case's simulator; returns the connection config to run with. Calendar is
 * configured with every listed calendar by its real id, so the naive baseline needs no alias resolution.
 */
export function prepareConnection(benchCase: BenchCase, store: RecordsStore, connectionId: string, sim: Simulator): Record<string, string> {
    if (sim instanceof CalendarSimulator) {
        store.setMetadata(
            { integration: benchCase.integration, connectionId },
            { calendarIds: sim.store.listed().map((calendar) => calendar.id) }
        );
    }
    return prepareSimulatedConnection(store, benchCase.integration, connectionId, new Map([[benchCase.simulator, sim]]));
}

/** What the floor is computed from: the records a correct sync caches, per calendar where paging is per calendar. */
export function shapeOf(benchCase: BenchCase, sim: Simulator): DataShape {
    const truth = sim.truth(benchCase.model);
    if (sim instanceof GmailSimulator) {
        // For the thread-size experiment's floor: what messages.list lists (spam and trash included) and how many of
        // the synced threads hold one message.
        const single = truth.filter((record) => sim.mailbox.threads.get(record.id)?.messages.length === 1).length;
        return { records: truth.length, singleMessage: single, listedMessages: sim.mailbox.messages.size };
    }
    if (benchCase.sync !== 'events') return { records: truth.length };
    const perCalendar = new Map<string, number>();
    for (const record of truth) {
        const calendarId = record.id.slice(0, record.id.indexOf('/'));
        perCalendar.set(calendarId, (perCalendar.get(calendarId) ?? 0) + 1);
    }
    return { records: truth.length, perPartition: [...perCalendar.values()] };
}
