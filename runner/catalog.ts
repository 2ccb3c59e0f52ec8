/**
 * What the runner knows about the repository's scripts: which syncs and actions each integration has, which
 * simulator holds the ground truth of each model, and the sample input each action is rehearsed with.
 */
import { LOCAL_ENVIRONMENT_UUID } from '../runtime/push-routing.js';
import type { RecordsStore } from '../runtime/records-store.js';
import { DEFAULT_PUBSUB } from '../simulators/gmail/watch.js';
import { UserError } from './errors.js';

/** The local Pub/Sub topic the Gmail simulator grants Gmail's publisher on (simulators/gmail/watch.ts). */
export const GMAIL_PUSH_METADATA = { pushTopic: DEFAULT_PUBSUB.topics[0]! };
/**
 * Google accepts only an https channel address, so the rehearsal names Nango's cloud URL of the local environment;
 * nothing is posted there: the simulator queues each notification and `deliver` hands it to onWebhook.
 */
export const CALENDAR_PUSH_METADATA = { pushAddress: `https://api.nango.dev/webhook/${LOCAL_ENVIRONMENT_UUID}/google-calendar` };

export type SimulatorName = 'gmail' | 'people' | 'calendar' | 'salesforce';
export type IntegrationId = 'google-mail' | 'salesforce' | 'google-calendar';

export interface SyncEntry {
    integration: IntegrationId;
    name: string;
    /** Each model the sync saves, and the simulator whose `truth(model)` says what it should hold. */
    models: { model: string; simulator: SimulatorName }[];
}

export interface ActionEntry {
    integration: IntegrationId;
    name: string;
    /** What a write does, for the confirmation question in live mode. */
    effect: string;
    /** The syncs that see what the action wrote (the next run of each picks it up). */
    resyncs: string[];
    /** Sample input for the rehearsal, built from what the syncs already cached (ids of real records). */
    sample: (cached: CachedLookup) => unknown;
}

export interface IntegrationEntry {
    id: IntegrationId;
    title: string;
    simulators: SimulatorName[];
    syncs: SyncEntry[];
    actions: ActionEntry[];
    /**
     * Push on: the rehearsal connects with this metadata (`connect`: validate-connection, post-connection-creation,
     * which starts the provider's watch) and delivers what the activity queued before polling (runner/rehearse-push.ts).
     */
    push?: { metadata: Record<string, unknown> };
}

/** Reads the live records of a model in the connection being rehearsed. */
export type CachedLookup = (model: string) => Record<string, unknown>[];

export function cachedLookup(store: RecordsStore, integration: string, connectionId: string): CachedLookup {
    return (model) => store.liveRecords({ integration, connectionId }, model);
}

function first(
    cached: CachedLookup,
    model: string,
    accept: (record: Record<string, unknown>) => boolean = () => true
): Record<string, unknown> {
    const record = cached(model).find(accept);
    if (!record) throw new UserError(`no ${model} cached yet to build the sample input from; run its sync first`);
    return record;
}

function isOwnCalendar(calendarId: string): boolean {
    return calendarId.includes('@') && !calendarId.endsWith('calendar.google.com');
}

const inOneWeek = () => {
    const start = new Date(Date.now() + 7 * 86_400_000);
    start.setUTCHours(15, 0, 0, 0);
    return { start: start.toISOString(), end: new Date(start.getTime() + 45 * 60_000).toISOString() };
};

export const INTEGRATIONS: IntegrationEntry[] = [
    {
        id: 'google-mail',
        title: 'Gmail (threads over the Gmail API, contacts over the People API)',
        simulators: ['gmail', 'people'],
        push: { metadata: GMAIL_PUSH_METADATA },
        syncs: [
            { integration: 'google-mail', name: 'gmail-threads', models: [{ model: 'GmailThread', simulator: 'gmail' }] },
            { integration: 'google-mail', name: 'gmail-contacts', models: [{ model: 'GoogleContact', simulator: 'people' }] }
        ],
        actions: [
            {
                integration: 'google-mail',
                name: 'send-email',
                effect: 'send an email from your mailbox',
                resyncs: ['gmail-threads'],
                sample: () => ({
                    to: [{ email: 'ada.lovelace@example.com', name: 'Ada Lovelace' }],
                    subject: 'Rehearsal: quarterly numbers — déjà vu',
                    text: 'Hello Ada,\n\nThe numbers are attached.\n\nBest',
                    html: '<p>Hello Ada,</p><p>The numbers are <b>attached</b>.</p><p>Best</p>',
                    attachments: [
                        {
                            filename: 'numbers.csv',
                            mimeType: 'text/csv',
                            content: Buffer.from('quarter,revenue\nQ1,1200\n').toString('base64')
                        }
                    ]
                })
            },
            {
                integration: 'google-mail',
                name: 'reply-email',
                effect: 'send a reply from your mailbox',
                resyncs: ['gmail-threads'],
                sample: (cached) => ({ threadId: first(cached, 'GmailThread')['id'], text: 'Thanks, noted.\n', replyAll: true })
            }
        ]
    },
    {
        id: 'salesforce',
        title: 'Salesforce (leads and opportunities over the REST API)',
        simulators: ['salesforce'],
        syncs: [
            { integration: 'salesforce', name: 'salesforce-leads', models: [{ model: 'SalesforceLead', simulator: 'salesforce' }] },
            {
                integration: 'salesforce',
                name: 'salesforce-opportunities',
                models: [{ model: 'SalesforceOpportunity', simulator: 'salesforce' }]
            }
        ],
        actions: [
            {
                integration: 'salesforce',
                name: 'create-lead',
                effect: 'create a lead in your org',
                resyncs: ['salesforce-leads'],
                sample: () => ({
                    firstName: 'Grace',
                    lastName: 'Hopper',
                    company: 'Rehearsal Navy Yard',
                    email: 'grace.hopper@example.com',
                    title: 'Rear Admiral',
                    leadSource: 'Web'
                })
            },
            {
                integration: 'salesforce',
                name: 'update-opportunity',
                effect: 'update an opportunity in your org',
                resyncs: ['salesforce-opportunities'],
                sample: (cached) => ({
                    id: first(cached, 'SalesforceOpportunity', (record) => record['isClosed'] !== true)['id'],
                    amount: 48_500,
                    stageName: 'Negotiation/Review',
                    nextStep: 'Send the revised quote'
                })
            }
        ]
    },
    {
        id: 'google-calendar',
        title: 'Google Calendar (events of several calendars)',
        simulators: ['calendar'],
        push: { metadata: CALENDAR_PUSH_METADATA },
        syncs: [{ integration: 'google-calendar', name: 'events', models: [{ model: 'GoogleCalendarEvent', simulator: 'calendar' }] }],
        actions: [
            {
                integration: 'google-calendar',
                name: 'create-event',
                effect: 'create an event in your calendar',
                resyncs: ['events'],
                sample: () => {
                    const { start, end } = inOneWeek();
                    return {
                        calendarId: 'primary',
                        summary: 'Rehearsal: design review',
                        location: 'Room 4 / Salle 4',
                        start: { dateTime: start, timeZone: 'Europe/Paris' },
                        end: { dateTime: end, timeZone: 'Europe/Paris' },
                        attendees: [{ email: 'ada.lovelace@example.com', name: 'Ada Lovelace' }],
                        sendUpdates: 'none'
                    };
                }
            },
            {
                integration: 'google-calendar',
                name: 'update-event',
                effect: 'change an event in your calendar',
                resyncs: ['events'],
                sample: (cached) => {
                    const event = first(
                        cached,
                        'GoogleCalendarEvent',
                        (record) =>
                            // In the user's own calendar (its id is their address): the subscribed ones Google
                            // publishes (holidays, birthdays: ...calendar.google.com) refuse writes with 403.
                            isOwnCalendar(String(record['calendarId'])) &&
                            record['status'] === 'confirmed' &&
                            record['recurringEventId'] === null &&
                            (record['recurrence'] as unknown[]).length === 0
                    );
                    return {
                        calendarId: event['calendarId'],
                        eventId: event['eventId'],
                        ...(typeof event['etag'] === 'string' ? { etag: event['etag'] } : {}),
                        summary: `${String(event['summary'] ?? 'Event')} (moved)`,
                        location: 'Video call',
                        sendUpdates: 'none'
                    };
                }
            }
        ]
    }
];

export function integration(id: string): IntegrationEntry {
    const found = INTEGRATIONS.find((entry) => entry.id === id);
    if (!found) throw new UserError(`unknown integration "${id}"; known: ${INTEGRATIONS.map((entry) => entry.id).join(', ')}`);
    return found;
}

export function syncOf(integrationId: string, name: string): SyncEntry {
    const entry = integration(integrationId);
    const found = entry.syncs.find((sync) => sync.name === name);
    if (!found) throw new UserError(`unknown sync "${name}" of ${entry.id}; its syncs: ${entry.syncs.map((sync) => sync.name).join(', ')}`);
    return found;
}

export function actionOf(integrationId: string, name: string): ActionEntry {
    const entry = integration(integrationId);
    const found = entry.actions.find((action) => action.name === name);
    if (!found)
        throw new UserError(
            `unknown action "${name}" of ${entry.id}; its actions: ${entry.actions.map((action) => action.name).join(', ')}`
        );
    return found;
}

/** The integration and sync that cache a model, for `records <Model>`. */
export function modelOwner(model: string): SyncEntry {
    for (const entry of INTEGRATIONS) {
        for (const sync of entry.syncs) if (sync.models.some((m) => m.model === model)) return sync;
    }
    const known = INTEGRATIONS.flatMap((entry) => entry.syncs.flatMap((sync) => sync.models.map((m) => m.model)));
    throw new UserError(`unknown model "${model}"; cached models: ${known.join(', ')}`);
}

/** `simulate` takes a simulator name; integration ids with a single simulator are accepted too. */
export function simulatorFor(provider: string): SimulatorName {
    const names: SimulatorName[] = ['gmail', 'people', 'calendar', 'salesforce'];
    if ((names as string[]).includes(provider)) return provider as SimulatorName;
    if (provider === 'google-calendar') return 'calendar';
    if (provider === 'google-mail') {
        throw new UserError('google-mail is simulated by two APIs: say "gmail" (mailbox) or "people" (contacts)');
    }
    throw new UserError(`unknown provider "${provider}"; simulated providers: ${names.join(', ')} (google-calendar = calendar)`);
}

export function integrationOfSimulator(simulator: SimulatorName): IntegrationEntry {
    return INTEGRATIONS.find((entry) => entry.simulators.includes(simulator))!;
}
