/**
 * Calendar push: one notification channel (events.watch) per synced calendar, sending to Nango's webhook URL, and
 * the check every message goes through before the events sync lists anything for it.
 *
 * Where the channel state lives, and why: connection metadata (`googleCalendarChannelToken`,
 * `googleCalendarChannels`, `googleCalendarWatchResourceUris`, written with updateMetadata, which merges at the top
 * level and keeps the backend's own keys).
 * - Every script that needs it can read it: post-connection-creation opens the channels, the events sync renews them
 *   and checks messages against the token, pre-connection-deletion stops them. A checkpoint is one script's own
 *   (Nango keys it `<script type>:<name>`, packages/utils/lib/checkpoint/checkpoint.ts) and records are the sync's.
 * - Nango's routing reads `metadata.googleCalendarWatchResourceUris` anyway to send a non-primary calendar's
 *   messages to this connection.
 * - The risks are known and bounded. The backend's setMetadata replaces the whole object and can drop these keys:
 *   the next events run finds no channel for its calendars and opens new ones with a new token; the old channels
 *   fail the token check until they expire (a week at most) and cannot be stopped, having been forgotten. A read may
 *   be up to a minute stale: a renewal racing post-connection-creation can open a second channel on a calendar; the
 *   extra one is harmless (messages only say "list your changes") and expires. Nothing here can lose an event: the
 *   poll still runs and reconciles.
 *
 * The token is one random secret per connection (192 bits), sent as the channel token of every channel and echoed by
 * Google in X-Goog-Channel-Token. Nango's routing matches messages by resource URI or calendar address, both easy to
 * guess, and checks no token (google-calendar-webhook-routing.ts), so a message without the secret is dropped here.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import type { NangoAction } from 'nango';
import { z } from 'zod';
import { GoogleCalendarPushChannel, type GoogleCalendarEventsMetadata } from '../../models.js';
import { describeFailure, isNotFound } from '../shared/google-errors.js';
import { CHANNELS_STOP_PATH, eventsWatchPath } from './paths.js';
import { CalendarChannelResource } from './schemas.js';

type Caller = Pick<NangoAction, 'post' | 'log'> & {
    updateMetadata(metadata: Partial<GoogleCalendarEventsMetadata>): Promise<unknown>;
};

/** Channels are renewed when less than this is left: a day, so an events run every 10 minutes has many chances. */
export const RENEW_MARGIN_MS = 86_400_000;
/** Watch and stop change state at Google: a retry after a lost answer meets `channelIdNotUnique` or 404, both handled. */
const WRITE_RETRIES = 3;

export interface PushSettings {
    address: string;
    token: string | null;
    channels: GoogleCalendarPushChannel[];
}

/** Push is on when the metadata names Nango's webhook URL. */
export function pushSettings(metadata: GoogleCalendarEventsMetadata): PushSettings | null {
    if (!metadata.pushAddress) return null;
    return {
        address: metadata.pushAddress,
        token: metadata.googleCalendarChannelToken ?? null,
        channels: metadata.googleCalendarChannels ?? []
    };
}

/** The channels recorded in metadata that may not parse as a whole (a deletion must still find them). */
export function recordedChannels(metadata: unknown): GoogleCalendarPushChannel[] {
    const raw =
        typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['googleCalendarChannels'] : undefined;
    const parsed = z.array(GoogleCalendarPushChannel).safeParse(raw ?? []);
    return parsed.success ? parsed.data : [];
}

// https://developers.google.com/workspace/calendar/api/v3/reference/events/watch
async function openChannel(nango: Caller, calendarId: string, address: string, token: string): Promise<GoogleCalendarPushChannel> {
    // Watched by its real id: the resource URI then names the calendar, which Nango's fallback routing reads.
    const response = await nango.post({
        endpoint: eventsWatchPath(calendarId),
        // No expiration asked: Google gives events channels a week, its longest.
        data: { id: randomUUID(), type: 'web_hook', address, token },
        retries: WRITE_RETRIES
    });
    const channel = CalendarChannelResource.parse(response.data);
    return { id: channel.id, resourceId: channel.resourceId, resourceUri: channel.resourceUri, calendarId, expiration: channel.expiration };
}

/**
 * Stops a channel; one Google no longer knows (stopped, expired) counts as stopped. Other failures are logged and
 * reported as false: stopping is a courtesy, the channel expires within a week anyway.
 */
// https://developers.google.com/workspace/calendar/api/v3/reference/channels/stop
export async function stopChannel(nango: Pick<NangoAction, 'post' | 'log'>, channel: GoogleCalendarPushChannel): Promise<boolean> {
    try {
        await nango.post({
            endpoint: CHANNELS_STOP_PATH,
            data: { id: channel.id, resourceId: channel.resourceId },
            retries: WRITE_RETRIES
        });
        return true;
    } catch (error) {
        if (isNotFound(error)) {
            await nango.log(`Channel ${channel.id} on ${channel.calendarId} was already gone`);
            return true;
        }
        await nango.log(`Could not stop channel ${channel.id} on ${channel.calendarId} (${describeFailure(error)}); it expires by itself`, {
            level: 'warn'
        });
        return false;
    }
}

/** The metadata keys that describe the channels, as written together. */
function channelKeys(token: string, channels: GoogleCalendarPushChannel[]): Partial<GoogleCalendarEventsMetadata> {
    return {
        googleCalendarChannelToken: token,
        googleCalendarChannels: channels,
        googleCalendarWatchResourceUris: [...new Set(channels.map((channel) => channel.resourceUri))]
    };
}

/**
 * Brings the channels in line with the synced calendars: one live channel each, opened when missing, renewed (a new
 * channel with a new id, then the old one stopped: Google renews nothing in place) when it expires within a day;
 * channels of calendars no longer synced are stopped. Records the result in the metadata when anything changed.
 * A calendar whose watch fails keeps what it had and is tried again next time; the failure is logged, never thrown.
 */
export async function reconcileChannels(nango: Caller, settings: PushSettings, calendarIds: readonly string[], now: number): Promise<void> {
    // A new secret (none recorded: push just turned on, or the metadata was replaced) means new channels everywhere.
    const newToken = settings.token === null;
    const token = settings.token ?? randomBytes(24).toString('base64url');
    const wanted = new Set(calendarIds);
    const kept: GoogleCalendarPushChannel[] = [];
    const retired: GoogleCalendarPushChannel[] = [];
    let changed = newToken;
    for (const calendarId of wanted) {
        const current = settings.channels.filter((channel) => channel.calendarId === calendarId);
        // The longest-lived one is kept; a second channel (from a race on stale metadata) is stopped.
        const best = newToken ? undefined : [...current].sort((a, b) => b.expiration - a.expiration)[0];
        if (best && best.expiration - now > RENEW_MARGIN_MS) {
            kept.push(best);
            retired.push(...current.filter((channel) => channel !== best));
            continue;
        }
        try {
            kept.push(await openChannel(nango, calendarId, settings.address, token));
            retired.push(...current);
            changed = true;
            await nango.log(`Opened a push channel on ${calendarId}${current.length > 0 ? ' (renewal)' : ''}`);
        } catch (error) {
            // Still-live channels stay recorded, so they are stopped or renewed later.
            kept.push(...current.filter((channel) => channel.expiration > now));
            await nango.log(`Could not open a push channel on ${calendarId} (${describeFailure(error)}); polling still covers it`, {
                level: 'error'
            });
        }
    }
    retired.push(...settings.channels.filter((channel) => !wanted.has(channel.calendarId)));
    for (const channel of retired) {
        changed = true;
        if (channel.expiration > now) await stopChannel(nango, channel);
    }
    if (changed) await nango.updateMetadata(channelKeys(token, kept));
}

/**
 * Stops every channel given and forgets them (pre-connection-deletion). Never throws: a deletion must go through.
 * Running it again finds nothing recorded, and a channel already gone answers 404, which counts as stopped.
 */
export async function stopAllChannels(nango: Caller, channels: readonly GoogleCalendarPushChannel[]): Promise<number> {
    let stopped = 0;
    for (const channel of channels) if (await stopChannel(nango, channel)) stopped += 1;
    try {
        await nango.updateMetadata({ googleCalendarChannels: [], googleCalendarWatchResourceUris: [] });
    } catch (error) {
        await nango.log(`Could not clear the recorded channels (${describeFailure(error)})`, { level: 'warn' });
    }
    return stopped;
}

/** What a push message asks of the events sync. */
export type PushMessage =
    | { kind: 'ignored'; reason: string }
    | { kind: 'handshake'; calendarId: string; channelId: string }
    | { kind: 'change'; calendarId: string; channelId: string };

/**
 * Reads a push message (the request's headers, as Nango forwards them) and checks it: the channel token must be the
 * connection's secret, and the calendar one this connection watches. Anything else is ignored.
 * https://developers.google.com/workspace/calendar/api/guides/push#understanding-the-notification-message-format
 */
export function readPushMessage(payload: unknown, metadata: GoogleCalendarEventsMetadata): PushMessage {
    const headers = lowerCaseHeaders(payload);
    const channelId = headers['x-goog-channel-id'] ?? '';
    const state = headers['x-goog-resource-state'];
    const secret = metadata.googleCalendarChannelToken;
    if (!secret) return { kind: 'ignored', reason: 'push message ignored: this connection has no channel token (push is not set up)' };
    if (!sameSecret(headers['x-goog-channel-token'], secret)) {
        const sent = headers['x-goog-channel-token'] === undefined ? 'no channel token' : 'a wrong channel token';
        return { kind: 'ignored', reason: `push message ignored: ${sent} (channel '${channelId}')` };
    }
    const channels = recordedChannels(metadata);
    const calendarId = channels.find((channel) => channel.id === channelId)?.calendarId ?? calendarOfUri(headers['x-goog-resource-uri']);
    if (calendarId === null || !channels.some((channel) => channel.calendarId === calendarId)) {
        return { kind: 'ignored', reason: `push message ignored: channel '${channelId}' watches no calendar of this connection` };
    }
    if (state === 'sync') return { kind: 'handshake', calendarId, channelId };
    if (state !== 'exists' && state !== 'not_exists') {
        return { kind: 'ignored', reason: `push message ignored: unknown resource state '${String(state)}'` };
    }
    return { kind: 'change', calendarId, channelId };
}

function lowerCaseHeaders(payload: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (typeof payload !== 'object' || payload === null) return out;
    for (const [name, value] of Object.entries(payload)) {
        const text = Array.isArray(value) ? value[0] : value;
        if (typeof text === 'string') out[name.toLowerCase()] = text;
    }
    return out;
}

function sameSecret(sent: string | undefined, secret: string): boolean {
    if (sent === undefined) return false;
    const a = Buffer.from(sent);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b);
}

/** `https://www.googleapis.com/calendar/v3/calendars/<id>/events?alt=json` → the decoded calendar id. */
function calendarOfUri(uri: string | undefined): string | null {
    const match = uri?.match(/\/calendars\/([^/?#]+)\/events/);
    if (!match?.[1]) return null;
    try {
        return decodeURIComponent(match[1]);
    } catch {
        return null;
    }
}
