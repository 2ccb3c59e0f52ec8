import type { Clock } from '../../runtime/clock.js';
import { googlePushAuthorization } from '../common/push.js';
import { GmailError, invalidArgument } from './errors.js';
import { isKnownLabel } from './labels.js';

/**
 * Gmail push (users.watch / users.stop) over Cloud Pub/Sub: the mailbox's watch and the rules Gmail applies to it.
 * https://developers.google.com/workspace/gmail/api/guides/push
 * https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
 *
 * - A watch names a topic `projects/<project>/topics/<topic>` of the developer project that calls it (Gmail refuses
 *   another project's, 400), which must exist and grant publish to gmail-api-push@system.gserviceaccount.com (else
 *   Gmail's test publish fails: 403 "Error sending test message to Cloud PubSub ...").
 * - A watch lasts 7 days; calling watch again replaces it (a renewal), stop ends it at once and is idempotent.
 * - Each change that writes history emits a notification carrying the mailbox's new history id, if it passes the
 *   label filter. Gmail promises no notification per change and drops a user's notifications above 1 a second
 *   (push guide, "Notification rate limits"): we emit at most one per second of the simulator's clock, so the
 *   changes of one activity (made at one instant) give one notification, with the id of the first; the others
 *   are found by history.list, as a client of real Gmail must.
 * - The notification is what a Pub/Sub push subscription POSTs (wrapped delivery, the default): `message.data` is
 *   base64 of `{"emailAddress","historyId"}`, `messageId`/`message_id` and `publishTime`/`publish_time` both present,
 *   `subscription` the push subscription's name. https://cloud.google.com/pubsub/docs/push ("wrapped" messages).
 *   `deliveryAttempt` is left out: Pub/Sub sets it only on subscriptions with a dead-letter policy.
 */

/** A Pub/Sub push as the webhook endpoint receives it; structurally the `PushNotification` of simulators/common/push.ts. */
export interface GmailPushNotification {
    provider: 'gmail';
    headers: Record<string, string>;
    body: string;
    emittedAt: number;
}

export interface PushSink {
    emit(notification: GmailPushNotification): void;
}

export interface PubSubSetup {
    /** The Google Cloud project of the OAuth client (Gmail accepts only its topics). */
    project: string;
    /** Topics that exist and grant publish to gmail-api-push@system.gserviceaccount.com. */
    topics: string[];
    /** The push subscription that forwards the topic to Nango's webhook URL. */
    subscription: string;
    /**
     * The subscription's authentication, when turned on: Pub/Sub then sends `Authorization: Bearer <OIDC token>`
     * signed by Google for this audience and service account (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions).
     */
    authentication?: { audience: string; serviceAccountEmail?: string } | undefined;
}

export const DEFAULT_PUBSUB: PubSubSetup = {
    project: 'nango-local',
    topics: ['projects/nango-local/topics/gmail-push'],
    subscription: 'projects/nango-local/subscriptions/gmail-push-nango'
};

/** How long a watch lasts: "Call watch again before this time" (7 days, the push guide's renewal bound). */
export const WATCH_LIFETIME_MS = 7 * 86_400_000;
/** Gmail's per-user notification rate: 1 a second, the rest dropped. */
export const NOTIFICATION_INTERVAL_MS = 1000;

export type LabelFilterBehavior = 'include' | 'exclude';

export interface WatchState {
    topicName: string;
    labelIds: string[];
    labelFilterBehavior: LabelFilterBehavior;
    /** Epoch ms when Gmail stops notifying. */
    expiration: number;
    /** Mailbox history id when the watch was (re)started. */
    historyId: number;
}

/** What the store's watch remembers across snapshots. */
export interface WatchSnapshot {
    watch: WatchState | null;
    lastNotifiedAt: number | null;
    messageCounter: number;
}

/** The fields of a watch request body (users.watch's WatchRequest); Google refuses any other. */
const WATCH_FIELDS = new Set(['topicName', 'labelIds', 'labelFilterAction', 'labelFilterBehavior']);

export class MailboxWatch {
    private state: WatchState | null = null;
    private lastNotifiedAt: number | null = null;
    private messageCounter = 0;
    /** Set by the simulator: where notifications go. */
    sink: PushSink | null = null;

    constructor(
        private readonly clock: Clock,
        private readonly emailAddress: string,
        readonly pubsub: PubSubSetup = DEFAULT_PUBSUB
    ) {}

    /** The watch in force now, or null (none, stopped or expired). */
    get active(): WatchState | null {
        if (this.state && this.state.expiration <= this.clock.now()) this.state = null;
        return this.state;
    }

    /** users.watch: checks the request as Gmail does, replaces any watch; returns Gmail's WatchResponse fields. */
    start(body: Record<string, unknown>, historyId: number): { historyId: number; expiration: number } {
        for (const key of Object.keys(body)) {
            if (!WATCH_FIELDS.has(key)) {
                throw new GmailError(400, 'invalid', `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
            }
        }
        const topicName = body['topicName'];
        if (topicName === undefined || topicName === null || topicName === '') throw invalidArgument('topicName required');
        if (typeof topicName !== 'string') throw new GmailError(400, 'invalid', "Invalid value at 'topic_name' (TYPE_STRING)");
        const project = /^projects\/([^/]+)\/topics\/[^/]+$/.exec(topicName)?.[1];
        if (project !== this.pubsub.project) {
            throw invalidArgument(`Invalid topicName does not match projects/${this.pubsub.project}/topics/*`);
        }
        if (!this.pubsub.topics.includes(topicName)) {
            throw new GmailError(
                403,
                'forbidden',
                `Error sending test message to Cloud PubSub ${topicName} : User not authorized to perform this action.`
            );
        }
        const labelIds = this.labelIds(body['labelIds']);
        // labelFilterBehavior replaces the deprecated labelFilterAction, which is ignored when both are set.
        const behavior =
            this.behavior(body['labelFilterBehavior'], 'label_filter_behavior') ??
            this.behavior(body['labelFilterAction'], 'label_filter_action');
        const expiration = this.clock.now() + WATCH_LIFETIME_MS;
        this.state = { topicName, labelIds, labelFilterBehavior: behavior ?? 'include', expiration, historyId };
        return { historyId, expiration };
    }

    /** users.stop: ends the watch; stopping none is not an error. */
    stop(): void {
        this.state = null;
    }

    /** Called by the mailbox for every history record it writes, with the message's labels after and the labels changed. */
    recorded(historyId: number, labels: readonly string[], changed: readonly string[] = []): void {
        const watch = this.active;
        if (!watch || !this.sink || !this.passes(watch, [...labels, ...changed])) return;
        const now = this.clock.now();
        if (this.lastNotifiedAt !== null && now - this.lastNotifiedAt < NOTIFICATION_INTERVAL_MS) return;
        this.lastNotifiedAt = now;
        this.sink.emit(this.notification(historyId, now));
    }

    snapshot(): WatchSnapshot {
        return {
            watch: this.state ? { ...this.state, labelIds: [...this.state.labelIds] } : null,
            lastNotifiedAt: this.lastNotifiedAt,
            messageCounter: this.messageCounter
        };
    }

    load(snapshot: WatchSnapshot): void {
        this.state = snapshot.watch ? { ...snapshot.watch, labelIds: [...snapshot.watch.labelIds] } : null;
        this.lastNotifiedAt = snapshot.lastNotifiedAt;
        this.messageCounter = snapshot.messageCounter;
    }

    /** include: a change touching one of the labels is notified; exclude: one touching none of them. No labels: all. */
    private passes(watch: WatchState, labels: readonly string[]): boolean {
        if (watch.labelIds.length === 0) return true;
        const touches = labels.some((label) => watch.labelIds.includes(label));
        return watch.labelFilterBehavior === 'include' ? touches : !touches;
    }

    private notification(historyId: number, now: number): GmailPushNotification {
        this.messageCounter += 1;
        // Pub/Sub message ids are decimal strings, unique within the topic.
        const messageId = String(17_000_000_000_000_000n + BigInt(this.messageCounter));
        const publishTime = new Date(now).toISOString();
        // Gmail's data carries the history id as a JSON number (as Nango's webhooks guide shows a decoded one).
        const data = Buffer.from(JSON.stringify({ emailAddress: this.emailAddress, historyId }), 'utf8').toString('base64');
        const body = {
            message: { data, messageId, message_id: messageId, publishTime, publish_time: publishTime },
            subscription: this.pubsub.subscription
        };
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const auth = this.pubsub.authentication;
        if (auth) {
            headers['authorization'] = googlePushAuthorization({
                aud: auth.audience,
                iat: Math.floor(now / 1000),
                ...(auth.serviceAccountEmail ? { email: auth.serviceAccountEmail } : {})
            });
        }
        return { provider: 'gmail', headers, body: JSON.stringify(body), emittedAt: now };
    }

    private labelIds(value: unknown): string[] {
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
            throw new GmailError(400, 'invalid', "Invalid value at 'label_ids' (TYPE_STRING)");
        }
        for (const label of value as string[]) if (!isKnownLabel(label)) throw invalidArgument(`Invalid label: ${label}`);
        return [...(value as string[])];
    }

    /** Enum values are matched in any case, as Google's JSON parser does for Gmail's other enums (format, historyTypes). */
    private behavior(value: unknown, field: string): LabelFilterBehavior | undefined {
        if (value === undefined || value === null) return undefined;
        const lower = typeof value === 'string' ? value.toLowerCase() : '';
        if (lower === 'include' || lower === 'exclude') return lower;
        throw new GmailError(
            400,
            'invalid',
            `Invalid value at '${field}' (type.googleapis.com/gmail.v1.LabelFilterAction), ${JSON.stringify(value)}`
        );
    }
}
