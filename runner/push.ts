/**
 * A connection's life and its push, as a Nango environment handles them: `connect` (validate-connection, Nango's own
 * provider hook, post-connection-creation), `disconnect` (pre-connection-deletion, then the connection's data is
 * gone) and `deliver` (each queued provider notification routed as Nango routes it and run through onWebhook).
 * The commands in runner/commands/ give these their simulators; tests give them a fixture Nango folder.
 */
import { onEventScripts, pushConnections } from '../runtime/deployed.js';
import { hashEmailAddress, routePushRequest, runOnEvent, runWebhook, type OnEventType } from '../runtime/index.js';
import type { Clock } from '../runtime/clock.js';
import type { RecordsStore } from '../runtime/records-store.js';
import type { PushNotification } from '../simulators/common/push.js';
import { formatInt } from './format.js';
import type { Output } from './progress.js';
import { resetConnection } from './store.js';

export interface ConnectionTarget {
    accessToken: string;
    connectionConfig: Record<string, unknown>;
    clock: Clock;
}

export interface LifecycleOptions {
    store: RecordsStore;
    integration: string;
    connectionId: string;
    target: ConnectionTarget;
    out: Output;
    /** The Nango folder; default the repository's nango-integrations/. */
    integrationsDir?: string | undefined;
}

export type ConnectOutcome = { ok: true; created: boolean } | { ok: false; reason: string };

/**
 * Whether `connect` created this connection. The runner's other commands store metadata and config without it (a
 * connection is implicit there), so the mark, not the connection's row, tells a creation from a reconnection.
 */
export function isConnected(store: RecordsStore, integration: string, connectionId: string): boolean {
    return store.kvGet(connectedKey(integration, connectionId)) !== undefined;
}

function connectedKey(integration: string, connectionId: string): string {
    return `runner/connected/${integration}/${connectionId}`;
}

/**
 * Creation, in Nango's order (packages/server/lib/controllers/auth/*, hooks/connection/on/*.ts): the connection is
 * stored, validate-connection runs and a failure deletes it again (hardDelete) with the script's message; then
 * Nango's own provider hook (google-mail, google-calendar: `connection_config.emailAddressHash`) and the
 * post-connection-creation scripts, whose failures leave the connection in place. A reconnection (the connection
 * exists) runs validate-connection only, and a failure there keeps the connection.
 */
export async function connect(options: LifecycleOptions & { metadata?: Record<string, unknown> | undefined }): Promise<ConnectOutcome> {
    const { store, integration, connectionId, out } = options;
    const conn = { integration, connectionId };
    const created = !isConnected(store, integration, connectionId);
    const previousMetadata = store.getMetadata(conn);
    store.setConnectionConfig(conn, { ...(store.getConnectionConfig(conn) ?? {}), ...options.target.connectionConfig });
    if (options.metadata !== undefined) store.setMetadata(conn, options.metadata);
    else if (previousMetadata === null) store.setMetadata(conn, {});

    const refusal = await runEvent(options, 'validate-connection');
    if (refusal !== undefined) {
        if (created) resetConnection(store, connectionId, integration);
        out.write(`${integration}/${connectionId}: connection refused by validate-connection: ${refusal}\n`);
        return { ok: false, reason: refusal };
    }
    if (!created) {
        out.write(`${integration}/${connectionId}: reconnected (validated); post-connection-creation runs on creation only\n`);
        return { ok: true, created };
    }
    store.kvSet(connectedKey(integration, connectionId), true);
    await providerHook(options);
    const failure = await runEvent(options, 'post-connection-creation');
    if (failure !== undefined) out.write(`  post-connection-creation failed (the connection stays, as on Nango): ${failure}\n`);
    out.write(`${integration}/${connectionId}: connected\n`);
    return { ok: true, created };
}

/**
 * Deletion (packages/server/lib/hooks/connection/on/pre-connection-deletion.ts, controllers/connection/connectionId/
 * deleteConnection.ts): the pre-connection-deletion scripts run and the connection is deleted whatever they did.
 * Here its records, checkpoints, metadata and config go; the simulated provider (the account) stays.
 */
export async function disconnect(options: LifecycleOptions): Promise<{ warning?: string }> {
    const failure = await runEvent(options, 'pre-connection-deletion');
    if (failure !== undefined)
        options.out.write(`  pre-connection-deletion failed (the connection is deleted anyway, as on Nango): ${failure}\n`);
    resetConnection(options.store, options.connectionId, options.integration);
    options.store.kvDelete(connectedKey(options.integration, options.connectionId));
    options.out.write(`${options.integration}/${options.connectionId}: disconnected, its records and state removed\n`);
    return failure === undefined ? {} : { warning: failure };
}

/** Runs the event's scripts in order; the first failure's message, or undefined. */
async function runEvent(options: LifecycleOptions, event: OnEventType): Promise<string | undefined> {
    const { store, integration, connectionId, target, out } = options;
    const names = await onEventScripts(integration, event, { integrationsDir: options.integrationsDir, clock: target.clock });
    for (const name of names) {
        const result = await runOnEvent({
            integration,
            name,
            event,
            store,
            connectionId,
            accessToken: target.accessToken,
            connectionConfig: store.getConnectionConfig({ integration, connectionId }) ?? target.connectionConfig,
            clock: target.clock,
            integrationsDir: options.integrationsDir
        });
        for (const log of result.logs) if (log.level !== 'debug') out.write(`  ${name} ${log.level}: ${log.message}\n`);
        out.write(`  ${event} ${name}: ${result.status}\n`);
        if (result.status === 'failed') return result.error.message;
    }
    return undefined;
}

/** Where Nango's provider hook reads the address it hashes (packages/server/lib/hooks/connection/providers/). */
const IDENTITY: Record<string, { url: string; field: 'emailAddress' | 'id' }> = {
    'google-mail': { url: 'https://gmail.googleapis.com/gmail/v1/users/me/profile', field: 'emailAddress' },
    'google-calendar': { url: 'https://www.googleapis.com/calendar/v3/users/me/calendarList/primary', field: 'id' }
};

/** Nango's built-in hook: a failed call leaves the config as it was, silently. */
async function providerHook(options: LifecycleOptions): Promise<void> {
    const identity = IDENTITY[options.integration];
    if (!identity) return;
    const conn = { integration: options.integration, connectionId: options.connectionId };
    try {
        const res = await fetch(identity.url, { headers: { authorization: `Bearer ${options.target.accessToken}` } });
        if (!res.ok) return;
        const body = (await res.json()) as Record<string, unknown>;
        const address = body[identity.field];
        if (typeof address !== 'string' || address === '') return;
        options.store.setConnectionConfig(conn, {
            ...(options.store.getConnectionConfig(conn) ?? {}),
            emailAddressHash: hashEmailAddress(address)
        });
    } catch {
        // As Nango: the hook never fails the connection.
    }
}

// -------------------------------------------------------------------------------------------------------------
// Delivery
// -------------------------------------------------------------------------------------------------------------

export interface DeliveryLine {
    notification: PushNotification;
    /** 'delivered' (one run per route), 'no connection', 'ignored' (no sync takes this webhook type), 'refused'. */
    outcome: 'delivered' | 'no connection' | 'ignored' | 'refused';
    text: string;
    runs: {
        connectionId: string;
        syncName: string;
        status: string;
        byModel: Record<string, { added: number; updated: number; deleted: number }>;
    }[];
}

/**
 * Each notification, oldest first: routed among the connections of `connectionId` (locally every connection id has
 * its own simulated accounts, so a push belongs to the id whose simulator sent it), then one onWebhook run per route.
 */
export async function deliver(options: {
    store: RecordsStore;
    notifications: readonly PushNotification[];
    connectionId: string;
    target: ConnectionTarget;
    out: Output;
    integrationsDir?: string | undefined;
}): Promise<DeliveryLine[]> {
    const { store, target, out } = options;
    const lines: DeliveryLine[] = [];
    for (const [index, notification] of options.notifications.entries()) {
        const all = await pushConnections(store, { integrationsDir: options.integrationsDir, clock: target.clock });
        const connections = all.filter((c) => c.connectionId === options.connectionId);
        const routing = routePushRequest(notification, connections, { now: target.clock.now() });
        const label = `${notification.provider} push ${index + 1}${describeNotification(notification)}`;
        const line: DeliveryLine = { notification, outcome: 'delivered', text: '', runs: [] };
        if (routing.status !== 200) {
            line.outcome = 'refused';
            line.text = `${label}: refused ${routing.status} (${routing.error ?? 'no reason'})`;
        } else if (routing.connectionIds.length === 0) {
            line.outcome = 'no connection';
            line.text = `${label}: no connection`;
        } else if (routing.routes.length === 0) {
            line.outcome = 'ignored';
            line.text = `${label}: ignored (no sync of ${routing.connectionIds.join(', ')} subscribes to it)`;
        } else {
            const parts: string[] = [];
            for (const route of routing.routes) {
                const result = await runWebhook({
                    integration: route.integration,
                    name: route.syncName,
                    payload: route.payload,
                    store,
                    connectionId: route.connectionId,
                    accessToken: target.accessToken,
                    connectionConfig:
                        store.getConnectionConfig({ integration: route.integration, connectionId: route.connectionId }) ??
                        target.connectionConfig,
                    clock: target.clock,
                    integrationsDir: options.integrationsDir
                });
                line.runs.push({
                    connectionId: route.connectionId,
                    syncName: route.syncName,
                    status: result.status,
                    byModel: result.byModel
                });
                const changes = Object.entries(result.byModel)
                    .map(([model, c]) => `${model} +${formatInt(c.added)} ~${formatInt(c.updated)} -${formatInt(c.deleted)}`)
                    .join(', ');
                const warnings = result.logs.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.message);
                parts.push(
                    `${route.integration}/${route.connectionId} ${route.syncName}: ${result.status === 'success' ? changes || 'no change' : `${result.status.toUpperCase()}: ${result.error?.message ?? ''}`}` +
                        (warnings.length > 0 ? ` (${warnings.join('; ')})` : '')
                );
            }
            line.text = `${label}: ${parts.join('; ')}`;
        }
        out.write(`${line.text}\n`);
        lines.push(line);
    }
    return lines;
}

function describeNotification(notification: PushNotification): string {
    if (notification.provider === 'calendar') {
        const state = notification.headers['x-goog-resource-state'];
        const number = notification.headers['x-goog-message-number'];
        return ` (${state ?? 'no state'}${number ? ` #${number}` : ''})`;
    }
    try {
        const body = JSON.parse(notification.body) as { message?: { data?: string } };
        const decoded = JSON.parse(Buffer.from(body.message?.data ?? '', 'base64').toString('utf8')) as { historyId?: unknown };
        return decoded.historyId === undefined ? '' : ` (historyId ${String(decoded.historyId)})`;
    } catch {
        return '';
    }
}
