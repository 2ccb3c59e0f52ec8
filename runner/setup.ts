import type { RecordsStore } from '../runtime/records-store.js';
import { CalendarSimulator } from '../simulators/calendar/index.js';
import type { Simulator } from '../simulators/common/simulator.js';
import type { TruthRecord } from '../simulators/common/truth.js';
import type { IntegrationId, SimulatorName } from './catalog.js';
import { SIMULATED_SALESFORCE_INSTANCE } from './simulators.js';

/**
 * What a connection to a simulated provider needs before a script runs: Salesforce's instance_url, and for
 * Calendar the calendars to sync (metadata, as a Nango connection would carry it).
 */
export function prepareSimulatedConnection(
    store: RecordsStore,
    integration: IntegrationId,
    connectionId: string,
    sims: ReadonlyMap<SimulatorName, Simulator>
): Record<string, string> {
    const conn = { integration, connectionId };
    if (integration === 'salesforce') return { instance_url: SIMULATED_SALESFORCE_INSTANCE };
    if (integration === 'google-calendar' && store.getMetadata(conn) === null) {
        const calendar = sims.get('calendar');
        if (calendar) store.setMetadata(conn, calendarMetadata(calendar));
    }
    return {};
}

/**
 * The calendars of the simulated account by name, as a user would configure them: their own (`primary`), the team
 * calendars, and the holiday and birthday calendars whose ids hold `#` (they must be encoded in request paths).
 */
function calendarMetadata(sim: Simulator): Record<string, unknown> {
    if (!(sim instanceof CalendarSimulator)) return { calendarIds: ['primary'] };
    const others = sim.store
        .listed()
        .filter((calendar) => !calendar.primary)
        .map((calendar) => calendar.id);
    return { calendarIds: ['primary', ...others] };
}

/**
 * What a correct sync of `model` holds for this connection. For Calendar that depends on the connection's
 * metadata: the calendars it names, not every calendar in the user's list.
 */
export function truthFor(
    store: RecordsStore,
    integration: IntegrationId,
    connectionId: string,
    model: string,
    sim: Simulator
): TruthRecord[] {
    if (sim instanceof CalendarSimulator) {
        const metadata = store.getMetadata<{ calendarIds?: string[]; allCalendars?: boolean }>({ integration, connectionId });
        // The sync's own defaults (google-calendar/metadata.ts): every listed calendar, the ones named, else primary.
        if (metadata?.allCalendars !== true) return sim.truthFor(metadata?.calendarIds ?? ['primary'], model);
    }
    return sim.truth(model);
}

/**
 * The rehearsal's lapse: every stored cursor the syncs hold becomes invalid. The simulators' expiry activities do
 * that for Gmail and People; Calendar's expires one random calendar, which may not be one the connection syncs, so
 * here every configured calendar's sync tokens are invalidated.
 */
export function expireCursors(store: RecordsStore, integration: IntegrationId, connectionId: string, sim: Simulator): string[] {
    if (sim instanceof CalendarSimulator) {
        const metadata = store.getMetadata<{ calendarIds?: string[] }>({ integration, connectionId });
        const ids = metadata?.calendarIds ?? sim.store.listed().map((calendar) => calendar.id);
        for (const id of ids) sim.invalidateSyncTokens(id);
        return [`sync tokens of ${ids.join(', ')} invalidated (the next listings answer 410)`];
    }
    return sim
        .activities()
        .filter((activity) => /expir/i.test(activity.name))
        .map((activity) => `${activity.name}: ${sim.applyActivity(activity.name)}`);
}
