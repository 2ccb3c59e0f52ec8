import type { ProxyConfiguration } from '@nangohq/runner-sdk';
import { z } from 'zod';
import { ProxyHttpError } from '../../runtime/proxy.js';
import { sendProxyRequest } from '../../runtime/proxy.js';
import type { ConnectionRegistry } from '../connections.js';
import { header, invalid, nangoError, type ApiRequest, type ApiResponse } from '../http.js';
import type { SimulatedNetwork } from '../network.js';
import { connectionIdSchema, providerConfigKeySchema } from './schemas.js';

// Nango's proxy controller, packages/server/lib/controllers/proxy/allProxy.ts (NangoHQ/nango): the headers it
// reads, the `Nango-Proxy-` prefix it strips before forwarding, the response headers it passes back, and the
// refusals of packages/server/lib/services/proxy.service.ts. The request itself, with Nango's retry rules, is the
// runtime's proxy (runtime/proxy.ts), so a script sees the same behaviour here and under `npm start -- sync`.

const proxyHeaders = z.object({
    'provider-config-key': providerConfigKeySchema,
    'connection-id': connectionIdSchema,
    retries: z.coerce.number().optional().default(0),
    'base-url-override': z.url().or(z.literal('')).optional(),
    decompress: z.enum(['true', 'false']).optional(),
    'retry-on': z
        .string()
        .regex(/^\d+(,\d+)*$/)
        .optional(),
    'forward-headers-on-redirect': z.enum(['true', 'false']).optional(),
    'nango-activity-log-id': z.string().max(255).optional(),
    'nango-is-sync': z.enum(['true', 'false']).optional(),
    'nango-is-dry-run': z.enum(['true', 'false']).optional()
});

const PREFIX = 'nango-proxy-';
/** On success Nango passes back only these provider headers (the legacy allowlist, its default). */
const SUCCESS_HEADERS = ['content-type', 'mcp-session-id', 'x-request-id', 'x-correlation-id'];
/** Headers never forwarded (hop-by-hop). */
const HOP_BY_HOP = new Set([
    'connection',
    'keep-alive',
    'proxy-authenticate',
    'proxy-authorization',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade'
]);

export async function proxy(registry: ConnectionRegistry, network: SimulatedNetwork, req: ApiRequest): Promise<ApiResponse> {
    const parsed = proxyHeaders.safeParse(req.headers);
    if (!parsed.success) return invalid('invalid_headers', parsed.error);
    const h = parsed.data;
    const integration = h['provider-config-key'];
    const entry = registry.integrations().find((candidate) => candidate.id === integration);
    if (!entry) {
        return nangoError(
            404,
            'unknown_provider_config',
            'Provider config not found for the given provider config key. Please make sure the provider config exists in the Nango dashboard.'
        );
    }
    const connection = registry.find(integration, h['connection-id']);
    if (!connection) return nangoError(400, 'server_error', 'Failed to get connection');

    const forwarded: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (name.toLowerCase().startsWith(PREFIX)) forwarded[name.slice(PREFIX.length)] = req.rawHeaders[i + 1] ?? '';
    }
    // The client sends Content-Type unprefixed; Nango's server re-encodes the body it parsed with that type.
    const contentType = header(req, 'content-type');
    if (contentType && !Object.keys(forwarded).some((name) => name.toLowerCase() === 'content-type'))
        forwarded['content-type'] = contentType;

    const config: ProxyConfiguration = {
        method: req.method as NonNullable<ProxyConfiguration['method']>,
        endpoint: req.rawUrl.replace(/^\/proxy\/?/, '/'),
        headers: forwarded,
        retries: h.retries,
        responseType: 'arraybuffer',
        ...(h['base-url-override'] ? { baseUrlOverride: h['base-url-override'] } : {}),
        ...(h['retry-on'] ? { retryOn: h['retry-on'].split(',').map(Number) } : {}),
        ...(req.body.length > 0 ? { data: req.body } : {})
    };
    const sims = [...registry.simulators(entry, connection.connectionId).values()];
    try {
        const response = await network.within(sims, () =>
            sendProxyRequest(config, {
                provider: integration,
                accessToken: registry.accessToken,
                connectionConfig: connection.connectionConfig,
                clock: registry.clock,
                userAgent: header(req, 'user-agent') ?? 'nango-local',
                log: () => undefined
            })
        );
        const headers: Record<string, string> = {};
        for (const name of SUCCESS_HEADERS) if (response.headers[name]) headers[name] = response.headers[name];
        return { status: response.status, headers, body: toBuffer(response.data) };
    } catch (err) {
        if (err instanceof ProxyHttpError && err.response) {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(err.response.headers)) {
                if (!HOP_BY_HOP.has(name) && name !== 'content-length' && !name.startsWith('access-control-')) headers[name] = value;
            }
            return { status: err.response.status, headers, body: toBuffer(err.response.data) };
        }
        if (err instanceof ProxyHttpError) return nangoError(500, err.code, err.message);
        return nangoError(500, 'proxy_request_failed', err instanceof Error ? err.message : String(err));
    } finally {
        registry.touched(connection.connectionId);
    }
}

function toBuffer(data: unknown): Buffer {
    if (Buffer.isBuffer(data)) return data;
    if (typeof data === 'string') return Buffer.from(data);
    return Buffer.from(JSON.stringify(data ?? ''));
}
