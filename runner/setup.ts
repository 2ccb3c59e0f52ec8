import type { RecordsStore } from '../runtime/records-store.js';
import type { Simulator } from '../simulators/common/simulator.js';
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

/** Every calendar of the simulated account, the `#` holiday calendar included (its id must be encoded in paths). */
function calendarMetadata(calendar: Simulator): Record<string, unknown> {
    const ids = (calendar as unknown as { calendarIds?: () => string[] }).calendarIds?.() ?? ['primary'];
    return { calendarIds: ids };
}
