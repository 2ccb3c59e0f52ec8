import { randomBytes } from 'node:crypto';
import { parseDuration } from './clock.js';
import { openStore } from '../runner/store.js';
import { storeFile } from '../runner/paths.js';
import { UserError } from '../runner/errors.js';
import { checkSecretKey, startLocalNango } from './server.js';
import { LOCAL_ENVIRONMENT_UUID } from '../runtime/push-routing.js';

export interface ServeOptions {
    port?: string;
    host?: string;
    webhookUrl?: string;
    clockOffset?: string;
}

/** `npm start -- serve`: the local Nango API until Ctrl-C. */
export async function serveCommand(options: ServeOptions): Promise<number> {
    const port = options.port === undefined ? 3003 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number, got "${options.port}"`);
    const host = options.host ?? '127.0.0.1';
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
        throw new UserError(
            `--host ${host}: the local Nango API listens on loopback only (127.0.0.1); it runs scripts and hands out tokens`
        );
    }
    const secretKey = process.env['NANGO_LOCAL_SECRET_KEY'] || undefined;
    if (secretKey !== undefined) {
        try {
            checkSecretKey(secretKey);
        } catch (err) {
            throw new UserError(`NANGO_LOCAL_SECRET_KEY: ${(err as Error).message}`);
        }
    }
    const webhook = webhookSettings(options.webhookUrl);
    let clockOffsetMs = 0;
    if (options.clockOffset !== undefined) {
        try {
            clockOffsetMs = parseDuration(options.clockOffset);
        } catch (err) {
            throw new UserError(`--clock-offset: ${(err as Error).message}`);
        }
    }
    const store = openStore();
    const api = await startLocalNango({
        store,
        secretKey,
        port,
        host,
        clockOffsetMs,
        webhook: webhook && {
            ...webhook,
            onDelivery: (d) =>
                process.stdout.write(
                    `webhook ${String(d.body['model'])} ${d.body['success'] === true ? 'success' : 'failure'} -> ${d.delivered ? 'delivered' : 'NOT delivered'} (${d.attempts.join(', ')})\n`
                )
        }
    });
    const lines = [
        `Local Nango API on ${api.url} (store: ${storeFile()})`,
        `Secret key: ${api.secretKey}${secretKey === undefined ? ' (a new one each start; set NANGO_LOCAL_SECRET_KEY to keep one)' : ' (NANGO_LOCAL_SECRET_KEY)'}`,
        ...(webhook
            ? [
                  `Sync webhooks to ${webhook.url}, signed with: ${webhook.signingKey}${process.env['NANGO_LOCAL_WEBHOOK_SIGNING_KEY'] ? ' (NANGO_LOCAL_WEBHOOK_SIGNING_KEY)' : ' (a new one each start; set NANGO_LOCAL_WEBHOOK_SIGNING_KEY to keep one)'}`
              ]
            : []),
        ...(clockOffsetMs > 0
            ? [`Clock: ${new Date(api.clock.now()).toISOString()} (moved forward by --clock-offset ${options.clockOffset})`]
            : []),
        `Connections: "local" for ${api.registry
            .integrations()
            .map((entry) => entry.id)
            .join(', ')}, plus any the runner created.`,
        `Provider push (Nango's webhook URL): POST ${api.url}/webhook/${LOCAL_ENVIRONMENT_UUID}/<google-mail|google-calendar>`,
        '',
        'Point the CLI at it (in nango-integrations/):',
        `  NANGO_HOSTPORT=${api.url} NANGO_SECRET_KEY=${api.secretKey} npx nango dryrun gmail-threads local --integration-id google-mail -e dev --no-interactive --auto-confirm`,
        'or a backend:',
        `  new Nango({ secretKey: '${api.secretKey}', host: '${api.url}' })`,
        '',
        'Ctrl-C stops it.'
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await new Promise<void>((resolvePromise) => {
        const stop = () => resolvePromise();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
    });
    await api.close();
    store.close();
    return 0;
}

/** `--webhook-url`: an http(s) URL, and the signing key Nango's environment would have (a fresh one if unset). */
function webhookSettings(url: string | undefined): { url: string; signingKey: string } | undefined {
    if (url === undefined) return undefined;
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new UserError(`--webhook-url must be a URL, got "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UserError(`--webhook-url must be http(s), got "${url}"`);
    return { url: parsed.toString(), signingKey: process.env['NANGO_LOCAL_WEBHOOK_SIGNING_KEY'] || randomBytes(24).toString('hex') };
}
