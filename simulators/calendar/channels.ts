/**
 * Notification channels on events collections (events.watch, channels.stop) and the push messages they send.
 *
 * Rules, from Google's push guide (https://developers.google.com/workspace/calendar/api/guides/push) and the
 * events.watch / channels.stop references:
 * - `id` is required, at most 64 characters, and unique: a second watch with an id already used answers 400
 *   `channelIdNotUnique` ("Channel id <id> not unique"). Channels are never renewed in place: a new one gets a new id.
 * - `type` is `web_hook` (or `webhook`); anything else is 400 `push.channelTypeNotSupported`.
 * - `address` must be HTTPS: 400 `push.webhookUrlNotHttps` ("WebHook callback must be HTTPS: <address>").
 * - `token` is optional, at most 256 characters, and echoed in `X-Goog-Channel-Token` on every message.
 * - Lifetime: `params.ttl` in seconds, or `expiration` in ms since the epoch; the default and the longest lifetime
 *   of an events channel are 604,800 s, one week (events.watch reference, `params.ttl`: "Default is 604800
 *   seconds"). A later expiration is cut to a week from now; one already past answers 400.
 * - The first message on a channel is `sync` with message number 1; each change to the watched collection sends
 *   `exists`, with a larger message number. Messages carry only headers, the body is empty.
 * - channels.stop takes `{ id, resourceId }` and answers 204; a channel it does not know (never made, stopped,
 *   expired, or another resource's id) answers 404 "Channel '<id>' not found for project '<n>'".
 * - Channels stop sending when they expire, on the clock of the provider.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../runtime/clock.js';
import { PushOutbox, type PushNotification } from '../common/push.js';
import { CalendarError, calendarErrors } from './errors.js';

/** One week: the default and the longest lifetime of an events channel (events.watch, `params.ttl`). */
export const CHANNEL_MAX_LIFETIME_MS = 604_800_000;
const MAX_ID_LENGTH = 64;
const MAX_TOKEN_LENGTH = 256;
/** The project number Google names in a channel's 404 (any fixed number: the simulator has one project). */
const PROJECT_NUMBER = '636397034666';

export interface StoredChannel {
    id: string;
    /** Opaque and stable per watched resource: every channel on one calendar's events has the same. */
    resourceId: string;
    /** As Google sends it in `X-Goog-Resource-URI` (the watched path, percent-encoded, `?alt=json`). */
    resourceUri: string;
    /** The calendar's real id (`primary` resolved). */
    calendarId: string;
    address: string;
    token: string | null;
    expiration: number;
    lastMessageNumber: number;
    stopped: boolean;
}

export interface ChannelsSnapshot {
    channels: StoredChannel[];
    queued: PushNotification[];
}

/** What events.watch answers (the Channel resource). int64 fields come as JSON strings, as Google sends them. */
export interface ChannelResource {
    kind: 'api#channel';
    id: string;
    resourceId: string;
    resourceUri: string;
    token?: string;
    expiration: string;
}

function channelError(reason: string, message: string): CalendarError {
    return new CalendarError(400, reason, message);
}

export class CalendarChannels {
    readonly outbox = new PushOutbox();
    /** Every channel ever made, by id: ids stay taken after a channel stops or expires. */
    private readonly byId = new Map<string, StoredChannel>();

    constructor(private readonly clock: Clock) {}

    // https://developers.google.com/workspace/calendar/api/v3/reference/events/watch
    watch(calendarId: string, watchedUri: string, body: unknown): ChannelResource {
        const now = this.clock.now();
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw calendarErrors.badRequest();
        const fields = body as Record<string, unknown>;
        const id = fields['id'];
        if (id === undefined || id === null || id === '') throw calendarErrors.required('Required');
        if (typeof id !== 'string' || id.length > MAX_ID_LENGTH) throw calendarErrors.invalid(`Invalid channel id '${String(id)}'.`);
        const type = fields['type'];
        if (type !== 'web_hook' && type !== 'webhook') {
            throw channelError('push.channelTypeNotSupported', `Channel type '${String(type)}' is not supported.`);
        }
        const address = fields['address'];
        if (typeof address !== 'string' || address === '') throw calendarErrors.required('Required');
        if (!isHttps(address)) throw channelError('push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${address}`);
        const token = fields['token'];
        if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
            throw calendarErrors.invalid('Invalid channel token.');
        }
        const expiration = requestedExpiration(fields, now);
        if (this.byId.has(id)) throw channelError('channelIdNotUnique', `Channel id ${id} not unique`);
        const channel: StoredChannel = {
            id,
            resourceId: resourceIdOf(calendarId),
            resourceUri: watchedUri,
            calendarId,
            address,
            token: typeof token === 'string' ? token : null,
            expiration: Math.min(expiration, now + CHANNEL_MAX_LIFETIME_MS),
            lastMessageNumber: 0,
            stopped: false
        };
        this.byId.set(id, channel);
        this.send(channel, 'sync', now);
        return {
            kind: 'api#channel',
            id,
            resourceId: channel.resourceId,
            resourceUri: channel.resourceUri,
            ...(channel.token !== null ? { token: channel.token } : {}),
            expiration: String(channel.expiration)
        };
    }

    // https://developers.google.com/workspace/calendar/api/v3/reference/channels/stop
    stop(body: unknown): void {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw calendarErrors.badRequest();
        const { id, resourceId } = body as Record<string, unknown>;
        if (typeof id !== 'string' || id === '') throw calendarErrors.required('Required');
        const channel = this.byId.get(id);
        if (!channel || !this.isActive(channel, this.clock.now()) || channel.resourceId !== resourceId) {
            throw new CalendarError(404, 'notFound', `Channel '${id}' not found for project '${PROJECT_NUMBER}'`);
        }
        channel.stopped = true;
    }

    /** A change to the events of `calendarId`: every live channel on it sends `exists`. */
    changed(calendarId: string): void {
        const now = this.clock.now();
        for (const channel of this.byId.values()) {
            if (channel.calendarId !== calendarId || !this.isActive(channel, now)) continue;
            // Several changes in one instant (a series cancelled with its exceptions) make one message while it is
            // still undelivered, as Google does not promise one message per change.
            if (this.outbox.peek().some((queued) => sameMessage(queued, channel, now))) continue;
            this.send(channel, 'exists', now);
        }
    }

    /** Channels that still send: not stopped, not expired. */
    active(): StoredChannel[] {
        const now = this.clock.now();
        return [...this.byId.values()].filter((channel) => this.isActive(channel, now));
    }

    snapshot(): ChannelsSnapshot {
        return structuredClone({ channels: [...this.byId.values()], queued: [...this.outbox.peek()] });
    }

    restore(snapshot: ChannelsSnapshot): void {
        for (const channel of snapshot.channels) this.byId.set(channel.id, { ...channel });
        for (const notification of snapshot.queued) this.outbox.emit(notification);
    }

    private isActive(channel: StoredChannel, now: number): boolean {
        return !channel.stopped && channel.expiration > now;
    }

    private send(channel: StoredChannel, state: 'sync' | 'exists', now: number): void {
        channel.lastMessageNumber = state === 'sync' ? 1 : channel.lastMessageNumber + 1;
        this.outbox.emit({
            provider: 'calendar',
            headers: {
                'x-goog-channel-id': channel.id,
                ...(channel.token !== null ? { 'x-goog-channel-token': channel.token } : {}),
                'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
                'x-goog-resource-id': channel.resourceId,
                'x-goog-resource-uri': channel.resourceUri,
                'x-goog-resource-state': state,
                'x-goog-message-number': String(channel.lastMessageNumber)
            },
            body: '',
            emittedAt: now
        });
    }
}

function isHttps(address: string): boolean {
    try {
        return new URL(address).protocol === 'https:';
    } catch {
        return false;
    }
}

/** `expiration` (ms, number or int64 string) or `params.ttl` (seconds, string); a week when neither is given. */
function requestedExpiration(fields: Record<string, unknown>, now: number): number {
    const raw = fields['expiration'];
    const params = fields['params'];
    const ttl = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['ttl'] : undefined;
    let expiration = now + CHANNEL_MAX_LIFETIME_MS;
    if (raw !== undefined && raw !== null) {
        const ms = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(ms)) throw calendarErrors.invalid(`Invalid value for expiration: ${String(raw)}`);
        expiration = ms;
    } else if (ttl !== undefined) {
        const seconds = typeof ttl === 'string' && /^-?\d+$/.test(ttl) ? Number(ttl) : NaN;
        if (!Number.isSafeInteger(seconds)) throw calendarErrors.invalid(`Invalid ttl value for channel ${String(ttl)}`);
        expiration = now + seconds * 1000;
    }
    if (expiration <= now) throw calendarErrors.invalid(`Invalid ttl value for channel ${Math.round((expiration - now) / 1000)}`);
    return expiration;
}

function resourceIdOf(calendarId: string): string {
    return createHash('sha256').update(`events:${calendarId}`).digest('base64url').slice(0, 27);
}

function sameMessage(queued: PushNotification, channel: StoredChannel, now: number): boolean {
    return (
        queued.emittedAt === now &&
        queued.headers['x-goog-channel-id'] === channel.id &&
        queued.headers['x-goog-resource-state'] === 'exists'
    );
}
