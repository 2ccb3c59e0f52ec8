import { describe, expect, it } from 'vitest';
import type { GoogleCalendarEventsMetadata } from '../../models.js';
import { readPushMessage, RENEW_MARGIN_MS } from '../../nango-integrations/google-calendar/push.js';
import { CHANNEL_MAX_LIFETIME_MS, SEED_USER } from '../../simulators/calendar/index.js';
import { conn, testBed, type Bed } from './support.js';

const PUSH_ADDRESS = 'https://api.nango.dev/webhook/00000000-0000-4000-8000-000000000000/google-calendar';

function teamCalendar(bed: Bed): string {
    return bed.sim.store.listed().find((calendar) => calendar.summary === 'Product Team')!.id;
}

function metadata(bed: Bed): GoogleCalendarEventsMetadata {
    return bed.store.getMetadata<GoogleCalendarEventsMetadata>(conn)!;
}

function activeByCalendar(bed: Bed): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const channel of bed.sim.store.channels.active()) (out[channel.calendarId] ??= []).push(channel.id);
    return out;
}

describe('events sync: push channels', () => {
    it('opens one channel per synced calendar with the connection token and records what Nango routes by', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team], pushAddress: PUSH_ADDRESS });
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');

        const active = bed.sim.store.channels.active();
        expect(active.map((channel) => channel.calendarId).sort()).toEqual([SEED_USER.email, team].sort());
        const saved = metadata(bed);
        expect(saved.googleCalendarChannelToken).toMatch(/^[\w-]{32}$/);
        expect(active.every((channel) => channel.token === saved.googleCalendarChannelToken && channel.address === PUSH_ADDRESS)).toBe(
            true
        );
        expect(saved.googleCalendarChannels?.map((channel) => channel.id).sort()).toEqual(active.map((channel) => channel.id).sort());
        // Exactly the URIs Google sends in X-Goog-Resource-URI, so Nango routes every watched calendar here.
        expect(saved.googleCalendarWatchResourceUris?.sort()).toEqual(active.map((channel) => channel.resourceUri).sort());
        // The backend's own keys stay.
        expect(saved.calendarIds).toEqual(['primary', team]);

        // A second run keeps them: no new watch, metadata unchanged.
        const watches = bed.sim.core.meter.get('events.watch').calls;
        expect((await bed.sync()).status).toBe('success');
        expect(bed.sim.core.meter.get('events.watch').calls).toBe(watches);
        expect(metadata(bed)).toEqual(saved);
    });

    it('renews a channel that expires within a day with a new id and stops the old one', async () => {
        const bed = testBed({}, { pushAddress: PUSH_ADDRESS });
        expect((await bed.sync()).status).toBe('success');
        const [first] = bed.sim.store.channels.active();
        bed.clock.advance(CHANNEL_MAX_LIFETIME_MS - RENEW_MARGIN_MS + 60_000);
        expect((await bed.sync()).status).toBe('success');
        const active = bed.sim.store.channels.active();
        expect(active).toHaveLength(1);
        expect(active[0]!.id).not.toBe(first!.id);
        expect(active[0]!.expiration).toBe(bed.clock.now() + CHANNEL_MAX_LIFETIME_MS);
        expect(metadata(bed).googleCalendarChannels?.map((channel) => channel.id)).toEqual([active[0]!.id]);
        expect(bed.sim.core.meter.get('channels.stop').calls).toBe(1);
    });

    it('opens a new channel for a calendar whose channel already expired, without stopping the dead one', async () => {
        const bed = testBed({}, { pushAddress: PUSH_ADDRESS });
        expect((await bed.sync()).status).toBe('success');
        bed.clock.advance(CHANNEL_MAX_LIFETIME_MS + 1);
        expect(bed.sim.store.channels.active()).toEqual([]);
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(bed.sim.store.channels.active()).toHaveLength(1);
        expect(bed.sim.core.meter.get('channels.stop').calls).toBe(0);
    });

    it('stops the channel of a calendar taken out of the metadata, and all of them when pushAddress goes', async () => {
        const bed = testBed();
        const team = teamCalendar(bed);
        bed.setMetadata({ calendarIds: ['primary', team], pushAddress: PUSH_ADDRESS });
        expect((await bed.sync()).status).toBe('success');
        bed.setMetadata({ ...metadata(bed), calendarIds: ['primary'] });
        expect((await bed.sync()).status).toBe('success');
        expect(Object.keys(activeByCalendar(bed))).toEqual([SEED_USER.email]);
        expect(metadata(bed).googleCalendarChannels?.map((channel) => channel.calendarId)).toEqual([SEED_USER.email]);
        expect(metadata(bed).googleCalendarWatchResourceUris).toHaveLength(1);

        const { pushAddress: _off, ...withoutPush } = metadata(bed);
        bed.setMetadata(withoutPush);
        expect((await bed.sync()).status).toBe('success');
        expect(bed.sim.store.channels.active()).toEqual([]);
        expect(metadata(bed).googleCalendarChannels).toEqual([]);
    });

    it('opens new channels with a new token after the backend replaced the metadata whole', async () => {
        const bed = testBed({}, { pushAddress: PUSH_ADDRESS });
        expect((await bed.sync()).status).toBe('success');
        const before = metadata(bed);
        bed.setMetadata({ pushAddress: PUSH_ADDRESS });
        expect((await bed.sync()).status).toBe('success');
        const after = metadata(bed);
        expect(after.googleCalendarChannelToken).toBeDefined();
        expect(after.googleCalendarChannelToken).not.toBe(before.googleCalendarChannelToken);
        expect(after.googleCalendarChannels?.[0]?.id).not.toBe(before.googleCalendarChannels?.[0]?.id);
    });

    it('keeps syncing when Google refuses the watch, and says why', async () => {
        const bed = testBed({}, { pushAddress: PUSH_ADDRESS });
        bed.sim.core.faults.inject('events.watch', { kind: 'status', status: 404 }, 10);
        const result = await bed.sync();
        expect(result.status, result.error?.message).toBe('success');
        expect(result.logs.some((entry) => entry.level === 'error' && /Could not open a push channel/.test(entry.message))).toBe(true);
        expect(metadata(bed).googleCalendarChannels).toEqual([]);
    });
});

describe('push messages: what onWebhook accepts', () => {
    const channel = {
        id: 'chan-1',
        resourceId: 'res-1',
        resourceUri: `https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(SEED_USER.email)}/events?alt=json`,
        calendarId: SEED_USER.email,
        expiration: 0
    };
    const token = 'x'.repeat(32);
    const meta: GoogleCalendarEventsMetadata = { googleCalendarChannelToken: token, googleCalendarChannels: [channel] };
    const headers = (extra: Record<string, string>) => ({
        'x-goog-channel-id': 'chan-1',
        'x-goog-resource-uri': channel.resourceUri,
        'x-goog-resource-state': 'exists',
        'x-goog-message-number': '2',
        ...extra
    });

    it('takes a change with the right token, and a handshake as such', () => {
        expect(readPushMessage(headers({ 'x-goog-channel-token': token }), meta)).toEqual({
            kind: 'change',
            calendarId: SEED_USER.email,
            channelId: 'chan-1'
        });
        expect(readPushMessage(headers({ 'x-goog-channel-token': token, 'x-goog-resource-state': 'sync' }), meta).kind).toBe('handshake');
    });

    it('ignores a missing or wrong token, a calendar this connection does not watch, and a connection without push', () => {
        expect(readPushMessage(headers({}), meta)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('no channel token') });
        expect(readPushMessage(headers({ 'x-goog-channel-token': `${token}y` }), meta)).toMatchObject({
            kind: 'ignored',
            reason: expect.stringContaining('wrong channel token')
        });
        const elsewhere = headers({
            'x-goog-channel-token': token,
            'x-goog-channel-id': 'other',
            'x-goog-resource-uri': 'https://www.googleapis.com/calendar/v3/calendars/someone%40example.com/events?alt=json'
        });
        expect(readPushMessage(elsewhere, meta).kind).toBe('ignored');
        expect(readPushMessage(headers({ 'x-goog-channel-token': token }), {}).kind).toBe('ignored');
    });

    it('finds the calendar by resource URI for a channel not yet recorded (a renewal read stale)', () => {
        const renewed = headers({ 'x-goog-channel-token': token, 'x-goog-channel-id': 'chan-2' });
        expect(readPushMessage(renewed, meta)).toMatchObject({ kind: 'change', calendarId: SEED_USER.email });
    });
});
