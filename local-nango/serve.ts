import { openStore } from '../runner/store.js';
import { storeFile } from '../runner/paths.js';
import { UserError } from '../runner/errors.js';
import { checkSecretKey, startLocalNango } from './server.js';

export interface ServeOptions {
    port?: string;
    host?: string;
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
    const store = openStore();
    const api = await startLocalNango({ store, secretKey, port, host });
    const lines = [
        `Local Nango API on ${api.url} (store: ${storeFile()})`,
        `Secret key: ${api.secretKey}${secretKey === undefined ? ' (a new one each start; set NANGO_LOCAL_SECRET_KEY to keep one)' : ' (NANGO_LOCAL_SECRET_KEY)'}`,
        `Connections: "local" for ${api.registry
            .integrations()
            .map((entry) => entry.id)
            .join(', ')}, plus any the runner created.`,
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
