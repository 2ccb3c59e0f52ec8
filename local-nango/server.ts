import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock, type Clock } from '../runtime/clock.js';
import type { RecordsStore } from '../runtime/records-store.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { parseDuration, ShiftedClock } from './clock.js';
import { ConnectionRegistry } from './connections.js';
import { json, jsonBody, nangoError, readRequest, writeResponse, type ApiRequest, type ApiResponse } from './http.js';
import { SimulatedNetwork } from './network.js';
import { getConnection, getIntegration, listConnections, setMetadata } from './routes/connections.js';
import { proxy } from './routes/proxy.js';
import { getRecords } from './routes/records.js';
import { ScriptRoutes } from './routes/scripts.js';
import { WebhookRoutes } from './routes/webhook.js';
import { WebhookSender, type WebhookDelivery } from './webhooks.js';

/** Nango's secret keys are UUID v4; any other bearer is refused before a lookup (access.middleware.ts keyRegex). */
const SECRET_KEY_FORMAT = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/i;
/** Loopback only: the API hands out provider tokens and runs scripts, so it is never reachable from elsewhere. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export interface LocalNangoOptions {
    store: RecordsStore;
    /** Default: a fresh UUID v4. */
    secretKey?: string | undefined;
    /** Default 0: an ephemeral port. */
    port?: number | undefined;
    host?: string | undefined;
    /** Default: the system clock. Tests pass a VirtualClock, so the proxy's retry waits take no real time. */
    clock?: Clock | undefined;
    /** Moves the API's clock (and the simulators') forward from the start, e.g. 40 days to see payloads pruned. */
    clockOffsetMs?: number | undefined;
    /** Where the sync webhooks go, signed with `signingKey` (Nango's environment webhook settings). */
    webhook?: { url: string; signingKey: string; onDelivery?: ((delivery: WebhookDelivery) => void) | undefined } | undefined;
}

export interface LocalNango {
    /** `http://127.0.0.1:<port>`: the `NANGO_HOSTPORT` / `host` to point the CLI and the node client at. */
    url: string;
    port: number;
    secretKey: string;
    registry: ConnectionRegistry;
    /** The API's clock: `advance(ms)` is the local-only time travel (also `POST /_local/clock`). */
    clock: ShiftedClock;
    /** The webhook sender, when a webhook URL was given. */
    webhooks: WebhookSender | undefined;
    /** Runs `work` with its provider calls answered by `sims` (what the API does for its own scripts). */
    within<T>(sims: readonly Simulator[], work: () => Promise<T>): Promise<T>;
    /** Resolves when every triggered sync has finished. */
    idle(): Promise<void>;
    close(): Promise<void>;
}

export function checkSecretKey(key: string): void {
    if (!SECRET_KEY_FORMAT.test(key)) {
        throw new Error('the secret key must be a UUID v4, as Nango secret keys are (e.g. the output of `node -p "crypto.randomUUID()"`)');
    }
}

/**
 * A local Nango API on 127.0.0.1, backed by the runner's store and the simulators: the real `nango dryrun` and
 * the real `@nangohq/node` client, pointed at it, get Nango's answers (shapes, status codes and error bodies read
 * from Nango's server, packages/server/lib in NangoHQ/nango).
 */
export async function startLocalNango(options: LocalNangoOptions): Promise<LocalNango> {
    const host = options.host ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) throw new Error(`the local Nango API listens on loopback only (127.0.0.1), not on ${host}`);
    const secretKey = options.secretKey ?? randomUUID();
    checkSecretKey(secretKey);

    const clock = new ShiftedClock(options.clock ?? new SystemClock(), options.clockOffsetMs ?? 0);
    const registry = new ConnectionRegistry(options.store, clock);
    registry.ensureDefaults();
    const network = new SimulatedNetwork();
    // Taken before the simulated network is installed: webhooks leave the process, to the product.
    const fetchOutside = globalThis.fetch;
    const webhooks = options.webhook
        ? new WebhookSender({
              ...options.webhook,
              clock,
              fetch: (input, init) => network.outside(() => fetchOutside(input, init))
          })
        : undefined;
    network.install();
    const scripts = new ScriptRoutes(registry, network, webhooks);
    const incoming = new WebhookRoutes(registry, network);

    const route = async (req: ApiRequest): Promise<ApiResponse> => {
        // Providers call Nango's webhook URL without the secret key (routes.public.ts: before the auth middleware).
        const webhook = /^\/webhook\/([^/]+)\/([^/]+)$/.exec(req.path);
        if (req.method === 'POST' && webhook) {
            return incoming.receive(req, {
                environmentUuid: decodeURIComponent(webhook[1]!),
                providerConfigKey: decodeURIComponent(webhook[2]!)
            });
        }
        const refused = authenticate(req, secretKey);
        if (refused) return refused;
        const { method, path } = req;
        let match: RegExpMatchArray | null;
        if (path === '/proxy' || path.startsWith('/proxy/')) return proxy(registry, network, req);
        if (method === 'GET' && (match = /^\/connections?\/([^/]+)$/.exec(path)) && match[1] !== 'metadata') {
            return getConnection(registry, req, decodeURIComponent(match[1]!));
        }
        if (method === 'GET' && (path === '/connections' || path === '/connection')) return listConnections(registry, req);
        if (/^\/connections?\/metadata$/.test(path)) {
            if (method === 'POST') return setMetadata(registry, req, 'replace');
            if (method === 'PATCH') return setMetadata(registry, req, 'merge');
        }
        if (method === 'GET' && (match = /^\/integrations\/([^/]+)$/.exec(path)))
            return getIntegration(registry, req, decodeURIComponent(match[1]!));
        if (method === 'GET' && (path === '/records' || path === '/records/')) return getRecords(registry, req);
        if (path === LOCAL_CLOCK_ROUTE) return clockRoute(clock, req);
        if (method === 'POST' && path === '/action/trigger') return scripts.triggerAction(req);
        if (method === 'POST' && path === '/sync/trigger') return scripts.triggerSync(req);
        if (method === 'GET' && path === '/sync/status') return scripts.syncStatus(req);
        // Nango's 404 for an unknown API route (packages/server/lib/routes.private.ts).
        return nangoError(404, 'not_found', 'endpoint not found');
    };

    const server: Server = createServer((incoming, res) => {
        void readRequest(incoming)
            .then(route)
            .catch((err: unknown) => nangoError(500, 'server_error', err instanceof Error ? err.message : String(err)))
            .then((answer) => writeResponse(res, answer));
    });
    await new Promise<void>((resolvePromise, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host === 'localhost' ? '127.0.0.1' : host, () => resolvePromise());
    });
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://${host === '::1' ? '[::1]' : '127.0.0.1'}:${port}`,
        port,
        secretKey,
        registry,
        clock,
        webhooks,
        within: (sims, work) => network.within(sims, work),
        idle: async () => {
            await incoming.idle();
            await scripts.idle();
        },
        close: async () => {
            await incoming.idle();
            await scripts.idle();
            await new Promise<void>((resolvePromise) => {
                server.close(() => resolvePromise());
                server.closeAllConnections();
            });
            network.uninstall();
            registry.flush();
        }
    };
}

/**
 * Nango's secret-key check (packages/server/lib/middleware/access.middleware.ts, messages from
 * packages/shared/lib/utils/error.ts): no header, an empty bearer, a key that is not a UUID v4, an unknown key.
 */
function authenticate(req: ApiRequest, secretKey: string): ApiResponse | null {
    const authorization = req.headers.authorization;
    if (!authorization)
        return nangoError(401, 'missing_auth_header', 'Authentication failed. The request is missing the Authorization header.');
    const secret = authorization.split('Bearer ').pop();
    if (!secret) return nangoError(401, 'malformed_auth_header', 'Authentication failed. The Authorization header is malformed.');
    if (!SECRET_KEY_FORMAT.test(secret)) {
        return nangoError(401, 'invalid_secret_key_format', 'Authentication failed. The provided secret key is not a UUID v4.');
    }
    if (secret !== secretKey) {
        return nangoError(401, 'unknown_account', 'Authentication failed. The provided authorization header does not match any account.');
    }
    return null;
}

/** Not a Nango route: the local API's own time travel, under a prefix Nango never uses. */
export const LOCAL_CLOCK_ROUTE = '/_local/clock';

/** `GET /_local/clock`: the API's time and offset; `POST /_local/clock {"advance":"40d"}` moves it forward. */
function clockRoute(clock: ShiftedClock, req: ApiRequest): ApiResponse {
    const state = () => json(200, { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset });
    if (req.method === 'GET') return state();
    if (req.method !== 'POST') return nangoError(405, 'method_not_allowed', `${req.method} ${LOCAL_CLOCK_ROUTE}`);
    const parsed = jsonBody(req);
    if ('error' in parsed) return parsed.error;
    const advance = (parsed.value as { advance?: unknown } | undefined)?.advance;
    if (typeof advance !== 'string') return nangoError(400, 'invalid_body', 'expected {"advance": "40d"} (d, h, m, s or ms)');
    try {
        clock.advance(parseDuration(advance));
    } catch (err) {
        return nangoError(400, 'invalid_body', (err as Error).message);
    }
    return state();
}
