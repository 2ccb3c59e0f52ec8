import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashEmailAddress, routePush, routePushRequest, webhookUrl, type PushConnection } from '../../runtime/index.js';
import { googlePushAuthorization, type PushNotification } from '../../simulators/common/push.js';

const THREADS = [{ name: 'gmail-threads', webhookSubscriptions: ['*'] }];
const EVENTS = [{ name: 'events', webhookSubscriptions: ['exists', 'sync'] }];

function gmailPush(emailAddress: string, historyId = '1234', headers: Record<string, string> = {}): PushNotification {
    const data = Buffer.from(JSON.stringify({ emailAddress, historyId })).toString('base64');
    const body = { message: { data, messageId: 'm-1', publishTime: '2026-01-15T12:00:00Z' }, subscription: 'projects/p/subscriptions/s' };
    return { provider: 'gmail', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), emittedAt: 0 };
}

function calendarPush(resourceUri: string, state = 'exists'): PushNotification {
    return {
        provider: 'calendar',
        headers: {
            'x-goog-channel-id': 'chan-1',
            'x-goog-channel-token': 'secret',
            'x-goog-resource-id': 'res-1',
            'x-goog-resource-uri': resourceUri,
            'x-goog-resource-state': state,
            'x-goog-message-number': '2'
        },
        body: '',
        emittedAt: 0
    };
}

function gmailConnection(connectionId: string, extra: Partial<PushConnection> = {}): PushConnection {
    return { integration: 'google-mail', connectionId, syncs: THREADS, ...extra };
}

function calendarConnection(connectionId: string, extra: Partial<PushConnection> = {}): PushConnection {
    return { integration: 'google-calendar', connectionId, syncs: EVENTS, ...extra };
}

describe('hashEmailAddress', () => {
    it('hashes the trimmed, lower-cased address under the nango.emailAddressHash.v1 prefix', () => {
        const expected = createHash('sha256').update('nango.emailAddressHash.v1:ada@example.com').digest('hex');
        expect(hashEmailAddress('  Ada@Example.COM ')).toBe(expected);
    });
});

describe('routePush, Gmail', () => {
    it('routes by connection_config.emailAddressHash, with the edited Pub/Sub body as the payload', () => {
        const connections = [
            gmailConnection('other', { connectionConfig: { emailAddressHash: hashEmailAddress('bob@example.com') } }),
            gmailConnection('ada', { connectionConfig: { emailAddressHash: hashEmailAddress('ada@example.com') } })
        ];
        const notification = gmailPush('Ada@Example.com');
        const routes = routePush(notification, connections);
        expect(routes).toHaveLength(1);
        expect(routes[0]).toMatchObject({ connectionId: 'ada', integration: 'google-mail', syncName: 'gmail-threads', webhookName: '*' });
        expect(routes[0]?.payload).toEqual({
            ...(JSON.parse(notification.body) as object),
            type: '*',
            emailAddress: 'Ada@Example.com',
            emailAddressHash: hashEmailAddress('ada@example.com')
        });
    });

    it('falls back to metadata.emailAddress, then metadata.email, exact as stored', () => {
        const byAddress = [
            gmailConnection('a', { metadata: { emailAddress: 'ada@example.com' } }),
            gmailConnection('b', { metadata: { email: 'ada@example.com' } })
        ];
        expect(routePush(gmailPush('ada@example.com'), byAddress).map((r) => r.connectionId)).toEqual(['a']);
        expect(routePush(gmailPush('ada@example.com'), byAddress.slice(1)).map((r) => r.connectionId)).toEqual(['b']);
        // The metadata match is the database's string comparison: no lower-casing.
        expect(routePush(gmailPush('ADA@example.com'), byAddress)).toEqual([]);
    });

    it('reaches only syncs subscribed to "*": the Gmail webhook type is always "*"', () => {
        const connection = gmailConnection('ada', {
            metadata: { emailAddress: 'ada@example.com' },
            syncs: [
                { name: 'gmail-threads', webhookSubscriptions: ['history', '*'] },
                { name: 'gmail-labels', webhookSubscriptions: ['history'] }
            ]
        });
        const result = routePushRequest(gmailPush('ada@example.com'), [connection]);
        expect(result.connectionIds).toEqual(['ada']);
        expect(result.routes.map((r) => `${r.syncName}:${r.webhookName}`)).toEqual(['gmail-threads:*']);
    });

    it('routes a push for a mailbox no connection has nowhere, and answers 200', () => {
        const result = routePushRequest(gmailPush('carol@example.com'), [
            gmailConnection('ada', { metadata: { emailAddress: 'ada@example.com' } })
        ]);
        expect(result).toEqual({ status: 200, connectionIds: [], routes: [] });
    });

    it('ignores connections of other integrations', () => {
        const connection = calendarConnection('cal', { metadata: { emailAddress: 'ada@example.com' }, syncs: THREADS });
        expect(routePush(gmailPush('ada@example.com'), [connection])).toEqual([]);
    });

    it('refuses a body whose message.data is not base64 JSON, and a body without message', () => {
        const connections = [gmailConnection('ada', { metadata: { emailAddress: 'ada@example.com' } })];
        const garbled: PushNotification = { ...gmailPush('x'), body: JSON.stringify({ message: { data: 'not json' } }) };
        expect(routePushRequest(garbled, connections)).toMatchObject({ status: 500, routes: [] });
        expect(routePushRequest({ ...gmailPush('x'), body: '{}' }, connections)).toMatchObject({ status: 500, routes: [] });
        expect(routePushRequest({ ...gmailPush('x'), body: '{' }, connections)).toMatchObject({ status: 400, routes: [] });
    });

    it('accepts a Google-signed token for its webhook URL, refuses a forged, expired or misdirected one', () => {
        const connections = [gmailConnection('ada', { metadata: { emailAddress: 'ada@example.com' } })];
        const now = Date.UTC(2026, 0, 15, 12);
        const iat = now / 1000;
        const signed = googlePushAuthorization({ aud: webhookUrl('google-mail'), iat });
        expect(routePush(gmailPush('ada@example.com', '1', { authorization: signed }), connections, { now })).toHaveLength(1);

        const [head, claims] = signed.slice('Bearer '.length).split('.');
        const forged = `Bearer ${head}.${claims}.${Buffer.from('forged').toString('base64url')}`;
        const cases = {
            forged,
            notBearer: signed.replace('Bearer ', 'Basic '),
            expired: googlePushAuthorization({ aud: webhookUrl('google-mail'), iat: iat - 7200 }),
            otherAudience: googlePushAuthorization({ aud: webhookUrl('google-calendar'), iat })
        };
        for (const [name, authorization] of Object.entries(cases)) {
            const result = routePushRequest(gmailPush('ada@example.com', '1', { authorization }), connections, { now });
            expect({ name, status: result.status, routes: result.routes }).toEqual({ name, status: 401, routes: [] });
        }
    });
});

describe('routePush, Google Calendar', () => {
    const primary = 'https://www.googleapis.com/calendar/v3/calendars/ada%40example.com/events?alt=json';
    const team = 'https://www.googleapis.com/calendar/v3/calendars/team%40group.calendar.google.com/events?alt=json';

    it('routes by metadata.googleCalendarWatchResourceUris, with the headers as the payload', () => {
        const connections = [
            calendarConnection('ada', { metadata: { googleCalendarWatchResourceUris: [primary, team] } }),
            calendarConnection('bob', { metadata: { googleCalendarWatchResourceUris: [] } })
        ];
        const notification = calendarPush(team);
        const routes = routePush(notification, connections);
        expect(routes).toEqual([
            {
                connectionId: 'ada',
                integration: 'google-calendar',
                syncName: 'events',
                webhookName: 'exists',
                payload: notification.headers
            }
        ]);
    });

    it('falls back to the calendar id in the URI: emailAddressHash, then metadata.emailAddress', () => {
        const byHash = calendarConnection('ada', { connectionConfig: { emailAddressHash: hashEmailAddress('ada@example.com') } });
        expect(routePush(calendarPush(primary), [byHash]).map((r) => r.connectionId)).toEqual(['ada']);
        const byMetadata = calendarConnection('ada2', { metadata: { emailAddress: 'ada@example.com' } });
        expect(routePush(calendarPush(primary), [byMetadata]).map((r) => r.connectionId)).toEqual(['ada2']);
        // A secondary calendar is found only through the resource URI list.
        expect(routePush(calendarPush(team), [byHash, byMetadata])).toEqual([]);
    });

    it('matches the resource state against the subscriptions: a "sync" handshake reaches only syncs that take it', () => {
        const connection = calendarConnection('ada', {
            metadata: { googleCalendarWatchResourceUris: [primary] },
            syncs: [
                { name: 'events', webhookSubscriptions: ['exists'] },
                { name: 'calendars', webhookSubscriptions: ['sync', 'exists'] }
            ]
        });
        expect(routePush(calendarPush(primary, 'sync'), [connection]).map((r) => `${r.syncName}:${r.webhookName}`)).toEqual([
            'calendars:sync'
        ]);
        expect(routePush(calendarPush(primary, 'exists'), [connection]).map((r) => `${r.syncName}:${r.webhookName}`)).toEqual([
            'events:exists',
            'calendars:exists'
        ]);
    });

    it('routes a notification without a resource URI, or for a calendar nobody watches, nowhere', () => {
        const connections = [
            calendarConnection('ada', { metadata: { googleCalendarWatchResourceUris: [primary], emailAddress: 'ada@example.com' } })
        ];
        const { 'x-goog-resource-uri': _uri, ...headers } = calendarPush(primary).headers;
        expect(routePushRequest({ ...calendarPush(primary), headers }, connections)).toEqual({
            status: 200,
            connectionIds: [],
            routes: []
        });
        const stranger = 'https://www.googleapis.com/calendar/v3/calendars/carol%40example.com/events?alt=json';
        expect(routePushRequest(calendarPush(stranger), connections)).toEqual({ status: 200, connectionIds: [], routes: [] });
    });
});
