import { z } from 'zod';
import { pushConnections } from '../../runtime/deployed.js';
import { LOCAL_ENVIRONMENT_UUID, routePushRequest, runWebhook } from '../../runtime/index.js';
import type { PushNotification } from '../../simulators/common/push.js';
import type { ConnectionRegistry } from '../connections.js';
import { invalid, json, nangoError, type ApiRequest, type ApiResponse } from '../http.js';
import type { SimulatedNetwork } from '../network.js';
import { providerConfigKeySchema } from './schemas.js';

// `POST /webhook/:environmentUuid/:providerConfigKey`: packages/server/lib/controllers/webhook/environmentUuid/
// postWebhook.ts and webhook/webhook.manager.ts in NangoHQ/nango. Public (no secret key): the provider calls it.
// The routing is runtime/push-routing.ts; the runs go one after another after the answer, as the orchestrator runs
// them after Nango answered the provider.

const params = z.object({ environmentUuid: z.string().uuid(), providerConfigKey: providerConfigKeySchema }).strict();

/** The integrations whose provider Nango routes push for, here: google-mail and google-calendar. */
const PUSH_PROVIDER: Record<string, PushNotification['provider']> = { 'google-mail': 'gmail', 'google-calendar': 'calendar' };

export class WebhookRoutes {
    private queue: Promise<void> = Promise.resolve();
    /** One line per run, for the serve log and tests. */
    readonly delivered: string[] = [];

    constructor(
        private readonly registry: ConnectionRegistry,
        private readonly network: SimulatedNetwork
    ) {}

    idle(): Promise<void> {
        return this.queue;
    }

    async receive(req: ApiRequest, rawParams: Record<string, string>): Promise<ApiResponse> {
        const parsed = params.safeParse(rawParams);
        if (!parsed.success) return invalid('invalid_uri_params', parsed.error);
        const { environmentUuid, providerConfigKey } = parsed.data;
        if (environmentUuid !== LOCAL_ENVIRONMENT_UUID) return nangoError(404, 'unknown_environment');
        const entry = this.registry.integrations().find((candidate) => candidate.id === providerConfigKey);
        if (!entry) return nangoError(404, 'unknown_provider_config');
        const provider = PUSH_PROVIDER[entry.id];
        if (!provider) return nangoError(501, 'not_implemented', `the local Nango API does not route ${entry.id} webhooks`);

        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
            if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        const notification: PushNotification = { provider, headers, body: req.body.toString('utf8'), emittedAt: this.registry.clock.now() };
        const connections = await pushConnections(this.registry.store, { clock: this.registry.clock });
        const routing = routePushRequest(notification, connections, { integration: entry.id, now: this.registry.clock.now() });
        // webhook.manager.ts: 204 with no body; a refusal is `{ error: <message> }` with its status.
        if (routing.status === 204) return { status: 204 };
        if (routing.status !== 200) return json(routing.status, { error: routing.error ?? 'internal_error' });
        for (const route of routing.routes) {
            this.queue = this.queue.then(async () => {
                const connection = this.registry.find(route.integration, route.connectionId);
                if (!connection) return;
                const sims = [...this.registry.simulators(connection.entry, connection.connectionId).values()];
                try {
                    const result = await this.network.within(sims, () =>
                        runWebhook({
                            integration: route.integration,
                            name: route.syncName,
                            payload: route.payload,
                            store: this.registry.store,
                            connectionId: route.connectionId,
                            accessToken: this.registry.accessToken,
                            connectionConfig: connection.connectionConfig,
                            clock: this.registry.clock
                        })
                    );
                    const counts = Object.entries(result.byModel).map(([m, c]) => `${m} +${c.added} ~${c.updated} -${c.deleted}`);
                    this.delivered.push(
                        `${route.integration}/${route.connectionId} ${route.syncName}: ${result.status} ${counts.join(', ')}`.trim()
                    );
                } finally {
                    this.registry.touched(connection.connectionId);
                    this.registry.flush();
                }
            });
        }
        return json(200, { status: 'success' });
    }
}
