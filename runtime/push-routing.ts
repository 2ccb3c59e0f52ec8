import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { localGoogleJwks, type PushNotification } from '../simulators/common/push.js';

/**
 * Nango's routing of provider push to webhook functions, read in NangoHQ/nango @2f4c0af:
 * - the provider's routing script (`packages/providers/providers.yaml` webhook_routing_script: google-mail →
 *   gmailWebhookRouting, google-calendar → googleCalendarWebhookRouting) finds the connections and edits the body
 *   (`packages/server/lib/webhook/gmail-webhook-routing.ts`, `google-calendar-webhook-routing.ts`);
 * - `executeScriptForWebhooks` (`packages/server/lib/webhook/internal-nango.ts`) runs, for every matched connection,
 *   each sync whose `webhookSubscriptions` holds the webhook type, the header value or '*' (once per sync: the first
 *   subscription that matches names the webhook), with the edited body as the payload.
 */

export interface PushConnection {
    integration: string;
    connectionId: string;
    connectionConfig?: Record<string, unknown> | null | undefined;
    metadata?: Record<string, unknown> | null | undefined;
    /**
     * The connection's syncs that have an onWebhook, with their subscriptions. Nango runs a webhook against the
     * connection's own sync (packages/jobs/lib/execution/webhook.ts: "Sync not found for connection").
     */
    syncs: readonly { name: string; webhookSubscriptions: readonly string[] }[];
}

export interface PushRoute {
    connectionId: string;
    integration: string;
    syncName: string;
    /** The subscription that matched ('*' for every Gmail push). */
    webhookName: string;
    /** What onWebhook receives (runWebhook's `payload`). */
    payload: unknown;
}

export interface PushRouting {
    /** What Nango answers the provider: 200, or the refusal's status. */
    status: number;
    /** Why the request was refused (status ≠ 200). */
    error?: string;
    /** The connections the routing matched, whether or not a sync took the webhook. */
    connectionIds: string[];
    routes: PushRoute[];
}

export interface RoutePushOptions {
    /** The integration (providerConfigKey) the push was sent to; default google-mail for Gmail, google-calendar for Calendar. */
    integration?: string | undefined;
    /** Now, in ms, for a token's expiry; default the system clock. */
    now?: number | undefined;
    /** The keys Google tokens are checked against; default the local simulators' (Nango fetches Google's). */
    googleJwks?: readonly JsonWebKey[] | undefined;
}

/** The integration each provider's push goes to by default: ours are named after their Nango provider. */
const DEFAULT_INTEGRATION: Record<PushNotification['provider'], string> = { gmail: 'google-mail', calendar: 'google-calendar' };

/** The environment of the local Nango and the webhook URL a provider is told to push to. */
export const LOCAL_ENVIRONMENT_UUID = '2f4c0af6-0000-4000-8000-000000000001';
export const LOCAL_WEBHOOK_BASE = 'http://127.0.0.1:3003/webhook';

/**
 * The audience Nango expects in a Gmail push token: `${getGlobalWebhookReceiveUrl()}/${environment.uuid}/${provider}`
 * (gmail-webhook-routing.ts validate): the provider's name, not the integration's key.
 */
export function webhookUrl(provider: string, environmentUuid = LOCAL_ENVIRONMENT_UUID): string {
    return `${LOCAL_WEBHOOK_BASE}/${environmentUuid}/${provider}`;
}

export function routePush(
    notification: PushNotification,
    connections: readonly PushConnection[],
    options: RoutePushOptions = {}
): PushRoute[] {
    return routePushRequest(notification, connections, options).routes;
}

/** The whole answer: status, the connections matched and the runs to make. */
export function routePushRequest(
    notification: PushNotification,
    connections: readonly PushConnection[],
    options: RoutePushOptions = {}
): PushRouting {
    const integration = options.integration ?? DEFAULT_INTEGRATION[notification.provider];
    const ofIntegration = connections.filter((c) => c.integration === integration);
    return notification.provider === 'gmail'
        ? routeGmail(notification, ofIntegration, options)
        : routeCalendar(notification, ofIntegration);
}

/**
 * `packages/server/lib/utils/pii.ts`: the address trimmed and lower-cased, prefixed `nango.emailAddressHash.v1:`,
 * SHA-256, hex. Nango's own post-connection hooks store it as `connection_config.emailAddressHash`
 * (`packages/server/lib/hooks/connection/providers/google-mail/post-connection.ts`: the profile's emailAddress;
 * `google-calendar/post-connection.ts`: the primary calendar's id).
 */
export function hashEmailAddress(emailAddress: string): string {
    return createHash('sha256').update(`nango.emailAddressHash.v1:${emailAddress.trim().toLowerCase()}`, 'utf8').digest('hex');
}

// -------------------------------------------------------------------------------------------------------------
// Gmail (Cloud Pub/Sub push)
// -------------------------------------------------------------------------------------------------------------

function routeGmail(notification: PushNotification, connections: readonly PushConnection[], options: RoutePushOptions): PushRouting {
    const refused = (status: number, error: string): PushRouting => ({ status, error, connectionIds: [], routes: [] });
    // webhook.manager.ts: a request with neither body nor headers is answered 204 and routed nowhere.
    if (notification.body === '' && Object.keys(notification.headers).length === 0) return refused(204, 'empty request');

    const authorization = notification.headers['authorization'];
    if (authorization !== undefined && !validGoogleToken(authorization, options)) return refused(401, 'Invalid webhook signature');

    // Nango's express parses the JSON body; a malformed one never reaches the routing (body-parser answers 400).
    let body: unknown;
    try {
        body = notification.body === '' ? {} : JSON.parse(notification.body);
    } catch {
        return refused(400, 'the body is not JSON');
    }
    const pubsub = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const message = pubsub['message'];
    // The routing reads body.message.data unguarded: without a message it throws, answered 500 internal_error.
    if (!message || typeof message !== 'object') return refused(500, 'internal_error: the body has no message');
    const data = (message as Record<string, unknown>)['data'];
    let decoded: unknown;
    try {
        // A non-string data makes Nango parse the body object itself, which fails: webhook_invalid_body (500).
        if (typeof data !== 'string') throw new Error('message.data is not a string');
        decoded = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    } catch {
        return refused(500, 'webhook_invalid_body: message.data is not base64 JSON');
    }
    const emailAddress = stringField(decoded, 'emailAddress');
    // Undefined fields vanish in the orchestrator's JSON copy, as here.
    const payload = {
        ...pubsub,
        type: '*',
        ...(emailAddress !== undefined ? { emailAddress, emailAddressHash: hashEmailAddress(emailAddress) } : {})
    };

    // connection_config.emailAddressHash, then metadata.emailAddress, then metadata.email.
    let matched =
        emailAddress === undefined ? [] : connections.filter((c) => configEquals(c, 'emailAddressHash', hashEmailAddress(emailAddress)));
    if (matched.length === 0 && emailAddress !== undefined)
        matched = connections.filter((c) => metadataHas(c, 'emailAddress', emailAddress));
    if (matched.length === 0 && emailAddress !== undefined) matched = connections.filter((c) => metadataHas(c, 'email', emailAddress));
    return { status: 200, connectionIds: matched.map((c) => c.connectionId), routes: dispatch(matched, '*', undefined, payload) };
}

/** gmail-webhook-routing.ts validate: Bearer JWT, RS256 over a known key id, issuer Google, audience, not expired. */
function validGoogleToken(authorization: string, options: RoutePushOptions): boolean {
    try {
        if (!authorization.startsWith('Bearer ')) return false;
        const token = authorization.split(' ')[1] ?? '';
        const [headerB64, payloadB64, signatureB64] = token.split('.');
        if (!headerB64 || !payloadB64 || !signatureB64) return false;
        const header = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8')) as { kid?: string };
        const claims = JSON.parse(Buffer.from(payloadB64, 'base64url').toString('utf8')) as { iss?: string; aud?: string; exp?: number };
        const jwk = (options.googleJwks ?? localGoogleJwks()).find((key) => key['kid'] === header.kid);
        if (!jwk) return false;
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        if (!verify('RSA-SHA256', Buffer.from(`${headerB64}.${payloadB64}`), key, Buffer.from(signatureB64, 'base64url'))) return false;
        if (claims.iss !== 'https://accounts.google.com') return false;
        if (claims.aud !== webhookUrl('google-mail')) return false;
        const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
        // Nango refuses only `exp < now`.
        return typeof claims.exp === 'number' && claims.exp >= nowSec;
    } catch {
        return false;
    }
}

// -------------------------------------------------------------------------------------------------------------
// Google Calendar (notification channels)
// -------------------------------------------------------------------------------------------------------------

function routeCalendar(notification: PushNotification, connections: readonly PushConnection[]): PushRouting {
    const headers = notification.headers;
    if (notification.body === '' && Object.keys(headers).length === 0)
        return { status: 204, error: 'empty request', connectionIds: [], routes: [] };
    const resourceUri = headers['x-goog-resource-uri'];
    // The body is empty: the headers object is the payload, and the resource state the webhook type.
    const payload = { ...headers };
    const state = headers['x-goog-resource-state'] || undefined;
    if (!resourceUri) return { status: 200, connectionIds: [], routes: [] };

    // metadata.googleCalendarWatchResourceUris (the URI, or a list holding it), then the calendar id in the URI
    // against connection_config.emailAddressHash, metadata.emailAddress, metadata.email.
    let matched = connections.filter((c) => metadataHas(c, 'googleCalendarWatchResourceUris', resourceUri));
    if (matched.length === 0) {
        const calendarId = calendarIdOf(resourceUri);
        if (calendarId !== undefined) {
            matched = connections.filter((c) => configEquals(c, 'emailAddressHash', hashEmailAddress(calendarId)));
            if (matched.length === 0) matched = connections.filter((c) => metadataHas(c, 'emailAddress', calendarId));
            if (matched.length === 0) matched = connections.filter((c) => metadataHas(c, 'email', calendarId));
        }
    }
    return { status: 200, connectionIds: matched.map((c) => c.connectionId), routes: dispatch(matched, undefined, state, payload) };
}

/** `/calendars/<id>/` in the resource URI, URI-decoded (google-calendar-webhook-routing.ts). */
function calendarIdOf(resourceUri: string): string | undefined {
    const match = /\/calendars\/([^/]+)\//.exec(resourceUri);
    if (!match?.[1]) return undefined;
    try {
        return decodeURIComponent(match[1]);
    } catch {
        // decodeURIComponent throws on a malformed escape; Nango's handler would fail with 500.
        return undefined;
    }
}

// -------------------------------------------------------------------------------------------------------------
// Matching, as the connection service's queries do
// -------------------------------------------------------------------------------------------------------------

/** `connection_config->>key = value`: the value's text form. */
function configEquals(connection: PushConnection, key: string, value: string): boolean {
    const found = connection.connectionConfig?.[key];
    return found !== undefined && found !== null && jsonText(found) === value;
}

/**
 * `metadata->>key = value OR metadata->key ? value` (connection.service.ts findConnectionsByMetadataValue): the
 * value itself, a list holding it as a string, or an object with it as a key.
 */
function metadataHas(connection: PushConnection, key: string, value: string): boolean {
    const found = connection.metadata?.[key];
    if (found === undefined || found === null) return false;
    if (jsonText(found) === value) return true;
    if (Array.isArray(found)) return found.some((item) => item === value);
    return typeof found === 'object' && Object.hasOwn(found, value);
}

function jsonText(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(value);
}

/** internal-nango.ts dispatch: per connection, each sync once, on its first subscription that matches. */
function dispatch(
    connections: readonly PushConnection[],
    type: string | undefined,
    headerValue: string | undefined,
    payload: unknown
): PushRoute[] {
    const routes: PushRoute[] = [];
    for (const connection of connections) {
        for (const sync of connection.syncs) {
            const webhook = sync.webhookSubscriptions.find((w) => w === type || w === headerValue || w === '*');
            if (webhook === undefined) continue;
            routes.push({
                connectionId: connection.connectionId,
                integration: connection.integration,
                syncName: sync.name,
                webhookName: webhook,
                payload
            });
        }
    }
    return routes;
}

function stringField(value: unknown, key: string): string | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const field = (value as Record<string, unknown>)[key];
    return typeof field === 'string' && field !== '' ? field : undefined;
}
