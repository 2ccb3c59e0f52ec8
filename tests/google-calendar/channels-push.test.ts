import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { CALENDAR_BASE, CalendarSimulator, CHANNEL_MAX_LIFETIME_MS, SEED_USER } from '../../simulators/calendar/index.js';
import { server } from '../support/msw.js';

type Json = Record<string, unknown>;
const ADDRESS = 'https://api.nango.dev/webhook/env-uuid/google-calendar';
const enc = encodeURIComponent;

function setup() {
    const clock = new VirtualClock();
    const sim = new CalendarSimulator({ clock, seed: 7, events: 60 });
    server.use(...sim.handlers);
    return { clock, sim };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Json | null }> {
    const response = await fetch(`${CALENDAR_BASE}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-access-token', 'content-type': 'application/json' },
        body: JSON.stringify(body)
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : null };
}

function watch(calendarId: string, body: Json) {
    return post(`/calendars/${enc(calendarId)}/events/watch`, { type: 'web_hook', address: ADDRESS, ...body });
}

function reason(body: Json | null): unknown {
    return (body?.['error'] as { errors?: { reason: string }[] } | undefined)?.errors?.[0]?.reason;
}

async function patchFirstEvent(clock: VirtualClock, calendarId: string, summary: string): Promise<void> {
    const list = await fetch(`${CALENDAR_BASE}/calendars/${enc(calendarId)}/events?maxResults=1`, {
        headers: { authorization: 'Bearer test-access-token' }
    });
    const first = ((await list.json()) as { items: { id: string }[] }).items[0]!;
    clock.advance(1000);
    const response = await fetch(`${CALENDAR_BASE}/calendars/${enc(calendarId)}/events/${enc(first.id)}`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer test-access-token', 'content-type': 'application/json' },
        body: JSON.stringify({ summary })
    });
    expect(response.status).toBe(200);
}

describe('calendar simulator: events.watch and channels.stop', () => {
    it('answers a channel resource, sends `sync` at once, then `exists` on each change with larger message numbers', async () => {
        const { clock, sim } = setup();
        const created = await watch(SEED_USER.email, { id: 'chan-1', token: 'secret-1' });
        expect(created.status).toBe(200);
        const uri = `${CALENDAR_BASE}/calendars/${enc(SEED_USER.email)}/events?alt=json`;
        expect(created.body).toEqual({
            kind: 'api#channel',
            id: 'chan-1',
            resourceId: expect.any(String),
            resourceUri: uri,
            token: 'secret-1',
            expiration: String(clock.now() + CHANNEL_MAX_LIFETIME_MS)
        });
        const [handshake, ...rest] = sim.push.take();
        expect(rest).toEqual([]);
        expect(handshake).toEqual({
            provider: 'calendar',
            body: '',
            emittedAt: clock.now(),
            headers: {
                'x-goog-channel-id': 'chan-1',
                'x-goog-channel-token': 'secret-1',
                'x-goog-channel-expiration': new Date(clock.now() + CHANNEL_MAX_LIFETIME_MS).toUTCString(),
                'x-goog-resource-id': created.body!['resourceId'],
                'x-goog-resource-uri': uri,
                'x-goog-resource-state': 'sync',
                'x-goog-message-number': '1'
            }
        });

        await patchFirstEvent(clock, SEED_USER.email, 'Edited once');
        await patchFirstEvent(clock, SEED_USER.email, 'Edited twice');
        const changes = sim.push.take();
        expect(changes.map((n) => [n.headers['x-goog-resource-state'], n.headers['x-goog-message-number']])).toEqual([
            ['exists', '2'],
            ['exists', '3']
        ]);
        // Another calendar's changes are not this channel's.
        const team = sim.store.listed().find((calendar) => calendar.summary === 'Product Team')!.id;
        await patchFirstEvent(clock, team, 'Team edit');
        expect(sim.push.take()).toEqual([]);
    });

    it('refuses a reused channel id, a non-HTTPS address, an unknown type, a missing id and an expiration already past', async () => {
        const { clock } = setup();
        expect((await watch('primary', { id: 'chan-1' })).status).toBe(200);
        const reused = await watch('primary', { id: 'chan-1' });
        expect([reused.status, reason(reused.body)]).toEqual([400, 'channelIdNotUnique']);
        const http = await watch('primary', { id: 'chan-2', address: 'http://example.com/hook' });
        expect([http.status, reason(http.body)]).toEqual([400, 'push.webhookUrlNotHttps']);
        const type = await watch('primary', { id: 'chan-3', type: 'email' });
        expect([type.status, reason(type.body)]).toEqual([400, 'push.channelTypeNotSupported']);
        const noId = await watch('primary', {});
        expect([noId.status, reason(noId.body)]).toEqual([400, 'required']);
        const past = await watch('primary', { id: 'chan-4', expiration: clock.now() - 1 });
        expect(past.status).toBe(400);
        const tooLong = await watch('primary', { id: 'x'.repeat(65) });
        expect(tooLong.status).toBe(400);
        expect((await watch('no-such-calendar@example.com', { id: 'chan-5' })).status).toBe(404);
    });

    it('cuts a requested expiration to one week and takes params.ttl in seconds', async () => {
        const { clock } = setup();
        const month = await watch('primary', { id: 'chan-1', expiration: clock.now() + 30 * 86_400_000 });
        expect(month.body?.['expiration']).toBe(String(clock.now() + CHANNEL_MAX_LIFETIME_MS));
        const hour = await watch('primary', { id: 'chan-2', params: { ttl: '3600' } });
        expect(hour.body?.['expiration']).toBe(String(clock.now() + 3_600_000));
        const asString = await watch('primary', { id: 'chan-3', expiration: String(clock.now() + 60_000) });
        expect(asString.body?.['expiration']).toBe(String(clock.now() + 60_000));
    });

    it('stops a channel (204), after which it sends nothing; an unknown, stopped or mismatched channel answers 404', async () => {
        const { clock, sim } = setup();
        const created = await watch('primary', { id: 'chan-1' });
        const resourceId = created.body!['resourceId'];
        expect((await post('/channels/stop', { id: 'chan-1', resourceId: 'other' })).status).toBe(404);
        expect((await post('/channels/stop', { id: 'chan-1', resourceId })).status).toBe(204);
        expect((await post('/channels/stop', { id: 'chan-1', resourceId })).status).toBe(404);
        expect((await post('/channels/stop', { id: 'never-made', resourceId })).status).toBe(404);
        sim.push.take();
        await patchFirstEvent(clock, SEED_USER.email, 'After stop');
        expect(sim.push.take()).toEqual([]);
        // A stopped channel's id stays taken.
        expect(reason((await watch('primary', { id: 'chan-1' })).body)).toBe('channelIdNotUnique');
    });

    it('lets a channel expire on the simulator clock: no message after, and stop answers 404', async () => {
        const { clock, sim } = setup();
        const created = await watch('primary', { id: 'chan-1', params: { ttl: '60' } });
        sim.push.take();
        clock.advance(61_000);
        await patchFirstEvent(clock, SEED_USER.email, 'After expiry');
        expect(sim.push.take()).toEqual([]);
        expect(sim.store.channels.active()).toEqual([]);
        expect((await post('/channels/stop', { id: 'chan-1', resourceId: created.body!['resourceId'] })).status).toBe(404);
    });

    it('sends one message per channel for a burst of changes in one instant, while it is undelivered', async () => {
        const { sim } = setup();
        const calendar = sim.calendar('primary');
        await watch('primary', { id: 'chan-1' });
        sim.push.take();
        for (const event of calendar.events.slice(0, 3)) sim.store.touch(calendar, event);
        expect(sim.push.peek().length).toBe(1);
    });

    it('keeps channels and undelivered messages across a snapshot', async () => {
        const { clock, sim } = setup();
        await watch('primary', { id: 'chan-1', token: 't' });
        const restored = CalendarSimulator.restore(JSON.parse(JSON.stringify(sim.snapshot())), { clock });
        expect(restored.push.peek().map((n) => n.headers['x-goog-resource-state'])).toEqual(['sync']);
        expect(restored.store.channels.active().map((channel) => channel.id)).toEqual(['chan-1']);
        restored.store.touch(restored.calendar('primary'), restored.calendar('primary').events[0]!);
        expect(restored.push.peek().map((n) => n.headers['x-goog-message-number'])).toEqual(['1', '2']);
    });
});

describe('calendar simulator: calendarList.get', () => {
    it("answers the user's entry for primary (what Nango's post-connection hook reads) and 404 for a calendar not in the list", async () => {
        const { sim } = setup();
        const get = (id: string) =>
            fetch(`${CALENDAR_BASE}/users/me/calendarList/${enc(id)}`, { headers: { authorization: 'Bearer test-access-token' } });
        const primary = await get('primary');
        expect(primary.status).toBe(200);
        expect(((await primary.json()) as Json)['id']).toBe(SEED_USER.email);
        const team = sim.store.listed().find((calendar) => calendar.summary === 'Product Team')!;
        team.inList = false;
        expect((await get(team.id)).status).toBe(404);
        expect((await get('nobody@example.com')).status).toBe(404);
    });
});
