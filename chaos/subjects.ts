/**
 * The syncs the chaos campaign and the invariant suite run on, with the small worlds they run in. A new sync is
 * proven by adding one entry here (its models and simulator come from the runner's catalog).
 */
import {
    CALENDAR_PUSH_METADATA,
    GMAIL_PUSH_METADATA,
    syncOf,
    type IntegrationId,
    type SimulatorName,
    type SyncEntry
} from '../runner/catalog.js';

export interface ChaosSubject {
    /** The sync's name, with `+push` for the same sync with push on. */
    name: string;
    sync: SyncEntry;
    /** The one simulator behind every model of the sync. */
    simulator: SimulatorName;
    /** Seeded world sizes (threads, contacts, leads, events): small, so hundreds of episodes run in minutes. */
    size: { min: number; max: number };
    /**
     * Push on: each episode first connects its connection with this metadata, as `npm start -- connect` does
     * (validate-connection, Nango's provider hook, post-connection-creation, which starts the provider's watch), and
     * the episode delivers what the simulator queued among its steps. Without it, no step differs from a poll-only
     * episode.
     */
    push?: { metadata: Record<string, unknown> } | undefined;
}

function subject(integration: IntegrationId, name: string, size: ChaosSubject['size'], push?: Record<string, unknown>): ChaosSubject {
    const sync = syncOf(integration, name);
    const simulators = [...new Set(sync.models.map((m) => m.simulator))];
    if (simulators.length !== 1) throw new Error(`${name}: the campaign expects one simulator per sync, got ${simulators.join(', ')}`);
    return { name: push ? `${name}+push` : name, sync, simulator: simulators[0]!, size, ...(push ? { push: { metadata: push } } : {}) };
}

export const CHAOS_SUBJECTS: readonly ChaosSubject[] = [
    subject('google-mail', 'gmail-threads', { min: 5, max: 40 }),
    subject('google-mail', 'gmail-contacts', { min: 5, max: 120 }),
    subject('salesforce', 'salesforce-leads', { min: 20, max: 300 }),
    subject('salesforce', 'salesforce-opportunities', { min: 20, max: 300 }),
    subject('google-calendar', 'events', { min: 10, max: 120 }),
    // The same syncs with push on: deliveries of the simulators' notifications among the episode's steps.
    subject('google-mail', 'gmail-threads', { min: 5, max: 40 }, GMAIL_PUSH_METADATA),
    subject('google-calendar', 'events', { min: 10, max: 120 }, CALENDAR_PUSH_METADATA)
];

export function subjectOf(name: string): ChaosSubject {
    const found = CHAOS_SUBJECTS.find((s) => s.name === name);
    if (!found) throw new Error(`unknown sync "${name}"; the campaign knows: ${CHAOS_SUBJECTS.map((s) => s.name).join(', ')}`);
    return found;
}
