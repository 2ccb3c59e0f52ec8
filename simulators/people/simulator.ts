import { http, HttpResponse, type HttpHandler } from 'msw';
import type { Clock } from '../../runtime/clock.js';
import { ApiCore } from '../common/core.js';
import { googleError, googleErrorFormat } from '../common/google-errors.js';
import { Random } from '../common/random.js';
import type { Simulator } from '../common/simulator.js';
import type { TruthRecord } from '../common/truth.js';
import { connectionParams, listConnections, PeopleError } from './connections.js';
import { ContactBook, personEtag, type StoredContact } from './store.js';
import { GOOGLE_SYSTEM_PARAMETERS } from '../common/google-params.js';

export const PEOPLE_HOST = 'https://people.googleapis.com';

/**
 * People API read quota: "Critical read requests (Contact and Profile Reads)" 90 per minute per user, as the Cloud
 * console shows it (the public docs do not print the number; third-party reports of the console agree on 90).
 */
export const PEOPLE_READS_PER_MINUTE = 90;

export interface PeopleSimulatorOptions {
    clock: Clock;
    seed?: number;
    /** Contacts in the seeded book (default 120). */
    contacts?: number;
    latencyMs?: number;
    /** Enforce the per-user read limit (default true). */
    quota?: boolean;
    accessToken?: string;
}

export interface PeopleSnapshot {
    kind: 'people';
    seed: number;
    changeSeq: number;
    tokenEpoch: number;
    activityCount: number;
    idCounter: number;
    contacts: StoredContact[];
}

const activityList = [
    { name: 'new-contacts', description: 'Three contacts are added.' },
    { name: 'edit-contacts', description: 'Four contacts get a new phone number, organization or family name.' },
    { name: 'delete-contacts', description: 'Two contacts are deleted (a sync token reports them with metadata.deleted).' },
    { name: 'token-expiry', description: 'Every sync token issued so far answers 400 EXPIRED_SYNC_TOKEN.' }
];

export class PeopleSimulator implements Simulator {
    readonly name = 'people';
    readonly core: ApiCore;
    readonly book: ContactBook;
    readonly handlers: HttpHandler[];
    private activityCount = 0;

    constructor(options: PeopleSimulatorOptions, restoring?: PeopleSnapshot) {
        this.core = new ApiCore({
            clock: options.clock,
            errors: {
                ...googleErrorFormat({ legacy: false }),
                rateLimited: (retryAfterMs) => {
                    const metric = 'Critical read requests (Contact and Profile Reads)';
                    return googleError({
                        code: 429,
                        message: `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per user' of service 'people.googleapis.com' for consumer 'project_number:000000000000'.`,
                        details: [
                            {
                                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                                reason: 'RATE_LIMIT_EXCEEDED',
                                domain: 'googleapis.com',
                                metadata: { service: 'people.googleapis.com', quota_limit: 'ReadRequestsPerMinutePerUser' }
                            }
                        ],
                        headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }
                    });
                }
            },
            ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
            ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
            ...(options.quota === false ? {} : { limit: { capacity: PEOPLE_READS_PER_MINUTE, windowMs: 60_000 } })
        });
        this.book = new ContactBook(options.clock, restoring?.seed ?? options.seed ?? 1);
        if (restoring) {
            for (const contact of restoring.contacts) this.book.contacts.set(contact.resourceName, { ...contact });
            this.book.changeSeq = restoring.changeSeq;
            this.book.tokenEpoch = restoring.tokenEpoch;
            this.activityCount = restoring.activityCount;
            this.book.idCounter = restoring.idCounter;
        } else {
            this.book.generate(options.contacts ?? 120);
        }
        this.handlers = [
            // https://developers.google.com/people/api/rest/v1/people.connections/list
            http.get(`${PEOPLE_HOST}/v1/people/:person/connections`, ({ request, params }) =>
                this.core.serve('people.connections.list', 1, request, ({ now }) => {
                    const url = new URL(request.url);
                    for (const name of url.searchParams.keys()) {
                        if (!connectionParams.includes(name) && !GOOGLE_SYSTEM_PARAMETERS.has(name)) {
                            return googleError({
                                code: 400,
                                message: `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`
                            });
                        }
                    }
                    try {
                        if (params['person'] !== 'me') throw new PeopleError(400, 'Only people/me is supported for connections.list.');
                        return HttpResponse.json(listConnections(this.book, url, now) as Record<string, unknown>);
                    } catch (error) {
                        if (error instanceof PeopleError) return error.toResponse();
                        throw error;
                    }
                })
            )
        ];
    }

    static restore(snapshot: unknown, options: Omit<PeopleSimulatorOptions, 'seed' | 'contacts'>): PeopleSimulator {
        const data = snapshot as PeopleSnapshot;
        if (data?.kind !== 'people') throw new Error('not a People simulator snapshot');
        return new PeopleSimulator(options, data);
    }

    activities(): { name: string; description: string }[] {
        return activityList.map((activity) => ({ ...activity }));
    }

    applyActivity(name: string): string {
        const random = new Random((this.book.seed * 31337 + ++this.activityCount) >>> 0);
        const live = (): StoredContact[] => this.book.live();
        switch (name) {
            case 'new-contacts': {
                const created = [1, 2, 3].map(() => this.book.create(random).resourceName);
                return `added ${created.join(', ')}`;
            }
            case 'edit-contacts': {
                const edited = pick(random, live(), 4).map((c) => this.book.edit(c.resourceName, random)!.resourceName);
                return `edited ${edited.join(', ')}`;
            }
            case 'delete-contacts': {
                const removed = pick(random, live(), 2).map((c) => c.resourceName);
                for (const resourceName of removed) this.book.remove(resourceName);
                return `deleted ${removed.join(', ')}`;
            }
            case 'token-expiry':
                this.book.expireTokens();
                return 'every sync token issued so far is expired';
            default:
                throw new Error(`unknown People activity "${name}" (known: ${activityList.map((a) => a.name).join(', ')})`);
        }
    }

    truth(model: string): TruthRecord[] {
        if (model !== 'GoogleContact') throw new Error(`the People simulator has no truth for model ${model}`);
        return this.book.live().map((contact) => ({ id: contact.resourceName, version: personEtag(contact) }));
    }

    versionOf(model: string, record: Record<string, unknown>): string {
        if (model !== 'GoogleContact') throw new Error(`the People simulator has no versions for model ${model}`);
        return String(record['etag']);
    }

    snapshot(): PeopleSnapshot {
        return JSON.parse(
            JSON.stringify({
                kind: 'people',
                seed: this.book.seed,
                changeSeq: this.book.changeSeq,
                tokenEpoch: this.book.tokenEpoch,
                activityCount: this.activityCount,
                idCounter: this.book.idCounter,
                contacts: [...this.book.contacts.values()]
            } satisfies PeopleSnapshot)
        ) as PeopleSnapshot;
    }

    // ---- direct changes, for tests ------------------------------------------------------------------------

    addContact(): StoredContact {
        return this.book.create(new Random((this.book.seed ^ 0xadd) + ++this.activityCount));
    }

    editContact(resourceName: string): StoredContact {
        const contact = this.book.edit(resourceName, new Random((this.book.seed ^ 0xed1) + ++this.activityCount));
        if (!contact) throw new Error(`no live contact ${resourceName}`);
        return contact;
    }

    deleteContact(resourceName: string): void {
        if (!this.book.remove(resourceName)) throw new Error(`no live contact ${resourceName}`);
    }

    expireSyncTokens(): void {
        this.book.expireTokens();
    }
}

function pick<T>(random: Random, items: T[], count: number): T[] {
    const chosen = new Set<T>();
    while (chosen.size < Math.min(count, items.length)) chosen.add(random.pick(items));
    return [...chosen];
}
