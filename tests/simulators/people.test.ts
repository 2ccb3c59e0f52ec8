import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { PeopleSimulator, PEOPLE_READS_PER_MINUTE } from '../../simulators/people/index.js';
import { server } from '../support/msw.js';

const TOKEN = 'test-access-token';
const BASE = 'https://people.googleapis.com/v1/people/me/connections';
const FIELDS = 'names,emailAddresses,phoneNumbers,organizations,photos,metadata';

interface Person {
    resourceName: string;
    etag: string;
    metadata?: { deleted?: boolean; sources?: { updateTime: string }[] };
    names?: { displayName: string }[];
    emailAddresses?: { value: string }[];
}

interface ListResponse {
    connections?: Person[];
    nextPageToken?: string;
    nextSyncToken?: string;
    totalPeople?: number;
    totalItems?: number;
}

function setup(options: { contacts?: number; quota?: boolean } = {}): { sim: PeopleSimulator; clock: VirtualClock } {
    const clock = new VirtualClock();
    const sim = new PeopleSimulator({
        clock,
        seed: 5,
        contacts: options.contacts ?? 25,
        ...(options.quota === false ? { quota: false } : {})
    });
    server.use(...sim.handlers);
    return { sim, clock };
}

async function call(params: Record<string, string>, token = TOKEN): Promise<Response> {
    return fetch(`${BASE}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${token}` } });
}

async function list(params: Record<string, string>): Promise<ListResponse> {
    const response = await call(params);
    expect(response.status).toBe(200);
    return (await response.json()) as ListResponse;
}

/** Every page of a listing; returns the people and the sync token of the last page. */
async function crawl(params: Record<string, string>): Promise<{ people: Person[]; syncToken: string | undefined; pages: number }> {
    const people: Person[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    for (;;) {
        const page = await list({ ...params, ...(pageToken ? { pageToken } : {}) });
        pages += 1;
        people.push(...(page.connections ?? []));
        if (!page.nextPageToken) return { people, syncToken: page.nextSyncToken, pages };
        expect(page.nextSyncToken).toBeUndefined();
        pageToken = page.nextPageToken;
    }
}

describe('People simulator: connections.list', () => {
    it('refuses a request without personFields, as the API does', async () => {
        setup();
        const response = await call({ pageSize: '10' });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { error: { status: string; message: string; errors?: unknown } };
        expect(body.error.status).toBe('INVALID_ARGUMENT');
        expect(body.error.message).toMatch(/^personFields mask is required/);
        expect(body.error.errors).toBeUndefined();
    });

    it('refuses unknown person fields, a page size over 1000 and unknown query parameters', async () => {
        setup();
        expect((await call({ personFields: 'names,shoeSize' })).status).toBe(400);
        expect((await call({ personFields: 'names', pageSize: '1001' })).status).toBe(400);
        expect((await call({ personFields: 'names', colour: 'blue' })).status).toBe(400);
    });

    it('pages through every contact once with only the requested fields, and hands a sync token on the last page', async () => {
        const { sim } = setup({ contacts: 25 });
        const { people, syncToken, pages } = await crawl({ personFields: 'names', pageSize: '10', requestSyncToken: 'true' });
        expect(pages).toBe(3);
        expect(syncToken).toBeDefined();
        expect(new Set(people.map((p) => p.resourceName)).size).toBe(25);
        expect(people.map((p) => p.resourceName).sort()).toEqual(
            sim
                .truth('GoogleContact')
                .map((t) => t.id)
                .sort()
        );
        expect(people.every((p) => p.names && !p.emailAddresses && p.etag.length > 0)).toBe(true);
        const first = await list({ personFields: 'names', pageSize: '10' });
        expect(first.totalPeople).toBe(25);
        expect(first.totalItems).toBe(25);
    });

    it('defaults to pages of 100', async () => {
        setup({ contacts: 130 });
        const page = await list({ personFields: 'names' });
        expect(page.connections).toHaveLength(100);
        expect(page.nextPageToken).toBeDefined();
    });

    it('refuses a page token replayed with different parameters', async () => {
        setup();
        const first = await list({ personFields: 'names', pageSize: '10' });
        const replay = await call({ personFields: 'names,emailAddresses', pageSize: '10', pageToken: first.nextPageToken! });
        expect(replay.status).toBe(400);
        const sizeChanged = await call({ personFields: 'names', pageSize: '5', pageToken: first.nextPageToken! });
        expect(sizeChanged.status).toBe(400);
    });

    // As Gmail: page tokens expire after three days, Google's rule of thumb (AIP-158), with 400 INVALID_ARGUMENT.
    it('refuses a page token older than three days with 400 INVALID_ARGUMENT', async () => {
        const { clock } = setup({ contacts: 30 });
        const first = await list({ personFields: FIELDS, pageSize: '10' });
        clock.advance(3 * 86_400_000 - 1);
        expect((await call({ personFields: FIELDS, pageSize: '10', pageToken: first.nextPageToken! })).status).toBe(200);
        clock.advance(2);
        const stale = await call({ personFields: FIELDS, pageSize: '10', pageToken: first.nextPageToken! });
        expect(stale.status).toBe(400);
        expect(((await stale.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
    });

    it('reports additions, edits and deletions after a sync token, deletions as metadata.deleted tombstones', async () => {
        const { sim } = setup({ contacts: 25 });
        const full = await crawl({ personFields: FIELDS, pageSize: '10', requestSyncToken: 'true' });
        const before = new Map(full.people.map((p) => [p.resourceName, p.etag]));

        const added = sim.addContact();
        const [edited, removed] = full.people.slice(3, 5).map((p) => p.resourceName) as [string, string];
        sim.editContact(edited);
        sim.deleteContact(removed);

        const changes = await crawl({ personFields: FIELDS, pageSize: '2', requestSyncToken: 'true', syncToken: full.syncToken! });
        expect(changes.pages).toBe(2);
        const byName = new Map(changes.people.map((p) => [p.resourceName, p]));
        expect([...byName.keys()].sort()).toEqual([added.resourceName, edited, removed].sort());
        expect(byName.get(removed)!.metadata).toEqual({ deleted: true, objectType: 'PERSON' });
        expect(byName.get(edited)!.etag).not.toBe(before.get(edited));
        expect(byName.get(added.resourceName)!.names?.[0]?.displayName).toBeTruthy();

        // The next token sees nothing new.
        const quiet = await list({ personFields: FIELDS, requestSyncToken: 'true', syncToken: changes.syncToken! });
        expect(quiet.connections).toBeUndefined();
        expect(quiet.nextSyncToken).toBeDefined();
    });

    it('refuses a sync token used with other person fields', async () => {
        setup();
        const full = await crawl({ personFields: 'names', pageSize: '100', requestSyncToken: 'true' });
        const response = await call({ personFields: 'names,emailAddresses', syncToken: full.syncToken! });
        expect(response.status).toBe(400);
    });

    it('answers EXPIRED_SYNC_TOKEN when the token-expiry activity ran, and after seven days', async () => {
        const { sim, clock } = setup();
        const full = await crawl({ personFields: 'names', requestSyncToken: 'true' });
        sim.applyActivity('token-expiry');
        const response = await call({ personFields: 'names', syncToken: full.syncToken! });
        expect(response.status).toBe(400);
        const body = (await response.json()) as {
            error: { status: string; message: string; details: { reason: string; domain: string }[] };
        };
        expect(body.error.status).toBe('FAILED_PRECONDITION');
        expect(body.error.message).toBe('Sync token is expired. Clear local cache and retry call without the sync token.');
        expect(body.error.details[0]).toMatchObject({ reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' });

        const fresh = await crawl({ personFields: 'names', requestSyncToken: 'true' });
        expect((await call({ personFields: 'names', syncToken: fresh.syncToken! })).status).toBe(200);
        clock.advance(7 * 86_400_000 + 1000);
        expect((await call({ personFields: 'names', syncToken: fresh.syncToken! })).status).toBe(400);
    });

    it('refuses a descending sort with a sync token request', async () => {
        setup();
        expect((await call({ personFields: 'names', requestSyncToken: 'true', sortOrder: 'LAST_MODIFIED_DESCENDING' })).status).toBe(400);
        expect((await call({ personFields: 'names', sortOrder: 'FIRST_NAME_ASCENDING' })).status).toBe(200);
    });

    it('answers 401 UNAUTHENTICATED to a wrong token', async () => {
        setup();
        const response = await call({ personFields: 'names' }, 'wrong');
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    });

    it('answers 429 with Retry-After past the per-user read limit, and serves again once the minute has passed', async () => {
        const { sim, clock } = setup();
        for (let i = 0; i < PEOPLE_READS_PER_MINUTE; i += 1)
            expect((await call({ personFields: 'names', pageSize: '1' })).status).toBe(200);
        const limited = await call({ personFields: 'names', pageSize: '1' });
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await limited.json()) as { error: { status: string } }).error.status).toBe('RESOURCE_EXHAUSTED');
        expect(sim.core.meter.get('people.connections.list').limited).toBe(1);
        clock.advance(60_000);
        expect((await call({ personFields: 'names', pageSize: '1' })).status).toBe(200);
    });

    it('fails the next calls with an injected fault, then recovers', async () => {
        const { sim } = setup();
        sim.core.faults.inject('people.connections.list', { kind: 'status', status: 503 }, 2);
        expect((await call({ personFields: 'names' })).status).toBe(503);
        expect((await call({ personFields: 'names' })).status).toBe(503);
        expect((await call({ personFields: 'names' })).status).toBe(200);
        sim.core.faults.inject('people.connections.list', { kind: 'network' });
        await expect(call({ personFields: 'names' })).rejects.toThrow();
    });
});

describe('People simulator: data, activities, snapshots', () => {
    it('generates the same contacts from the same seed', () => {
        const a = new PeopleSimulator({ clock: new VirtualClock(), seed: 9, contacts: 40 });
        const b = new PeopleSimulator({ clock: new VirtualClock(), seed: 9, contacts: 40 });
        const c = new PeopleSimulator({ clock: new VirtualClock(), seed: 10, contacts: 40 });
        expect(a.snapshot()).toEqual(b.snapshot());
        expect(a.truth('GoogleContact')).not.toEqual(c.truth('GoogleContact'));
    });

    it('changes the truth as each activity says', () => {
        const sim = new PeopleSimulator({ clock: new VirtualClock(), seed: 3, contacts: 20 });
        const ids = () => new Set(sim.truth('GoogleContact').map((t) => t.id));
        const versions = () => new Map(sim.truth('GoogleContact').map((t) => [t.id, t.version]));
        sim.applyActivity('new-contacts');
        expect(ids().size).toBe(23);
        const before = versions();
        sim.applyActivity('edit-contacts');
        const after = versions();
        expect([...after].filter(([id, version]) => before.get(id) !== version)).toHaveLength(4);
        sim.applyActivity('delete-contacts');
        expect(ids().size).toBe(21);
        expect(sim.activities().map((a) => a.name)).toEqual(['new-contacts', 'edit-contacts', 'delete-contacts', 'token-expiry']);
        expect(sim.versionOf('GoogleContact', { etag: 'x' })).toBe('x');
    });

    it('restores a snapshot into an equal simulator whose sync tokens still work', async () => {
        const clock = new VirtualClock();
        const original = new PeopleSimulator({ clock, seed: 4, contacts: 15 });
        original.applyActivity('delete-contacts');
        server.use(...original.handlers);
        const full = await crawl({ personFields: 'names', requestSyncToken: 'true' });
        const restored = PeopleSimulator.restore(JSON.parse(JSON.stringify(original.snapshot())), { clock });
        expect(restored.snapshot()).toEqual(original.snapshot());
        expect(restored.truth('GoogleContact')).toEqual(original.truth('GoogleContact'));
        server.resetHandlers(...restored.handlers);
        restored.addContact();
        const changes = await list({ personFields: 'names', syncToken: full.syncToken! });
        expect(changes.connections).toHaveLength(1);
    });
});
