import { createInterface } from 'node:readline/promises';
import { UserError } from './errors.js';

/** What a live run needs to reach the real provider. */
export interface LiveCredentials {
    accessToken: string;
    connectionConfig: Record<string, string>;
    /** Values that must never be printed. */
    secrets: string[];
}

/** The environment variables each integration reads in `--live` mode. */
export const LIVE_VARIABLES: Record<string, string[]> = {
    'google-mail': ['GOOGLE_ACCESS_TOKEN'],
    'google-calendar': ['GOOGLE_ACCESS_TOKEN'],
    salesforce: ['SALESFORCE_ACCESS_TOKEN', 'SALESFORCE_INSTANCE_URL']
};

export function liveCredentials(integration: string, env: NodeJS.ProcessEnv = process.env): LiveCredentials {
    const names = LIVE_VARIABLES[integration];
    if (!names) throw new UserError(`--live is not available for ${integration}`);
    const missing = names.filter((name) => !env[name]?.trim());
    if (missing.length > 0) {
        throw new UserError(
            `--live needs ${missing.join(' and ')} in the environment (an OAuth access token for ${integration}; ` +
                `see "The local runner" in the README). Nothing was sent.`
        );
    }
    if (integration === 'salesforce') {
        const accessToken = env['SALESFORCE_ACCESS_TOKEN']!.trim();
        const instanceUrl = env['SALESFORCE_INSTANCE_URL']!.trim().replace(/\/+$/, '');
        if (!/^https:\/\/[^/]+$/.test(instanceUrl)) {
            throw new UserError('SALESFORCE_INSTANCE_URL must look like https://yourdomain.my.salesforce.com');
        }
        return { accessToken, connectionConfig: { instance_url: instanceUrl }, secrets: [accessToken] };
    }
    const accessToken = env['GOOGLE_ACCESS_TOKEN']!.trim();
    return { accessToken, connectionConfig: {}, secrets: [accessToken] };
}

/** Replaces every occurrence of a secret (and of its URL-encoded form) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const secret of secrets) {
        if (secret.length < 4) continue;
        for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]');
    }
    return out;
}

/**
 * From here on, nothing this process writes to stdout or stderr can carry a token: provider error bodies and
 * stack traces sometimes echo the request, so redacting at the last step is the only sure place.
 */
export function redactOutput(secrets: readonly string[]): void {
    for (const stream of [process.stdout, process.stderr]) {
        const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
        stream.write = ((chunk: unknown, ...rest: unknown[]) => {
            const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk;
            return write(typeof text === 'string' ? redact(text, secrets) : text, ...rest);
        }) as typeof stream.write;
    }
}

/**
 * Writes in live mode change real data, so they need a yes on a terminal; without a terminal (a script, CI) only
 * `--yes` lets them through, since nobody could answer the question.
 */
export async function confirmLiveWrite(summary: string, yes: boolean): Promise<void> {
    if (yes) return;
    if (!process.stdin.isTTY) {
        throw new UserError(`refusing to ${summary} without confirmation: no terminal to ask on; pass --yes to confirm`);
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
        const answer = await rl.question(`This will ${summary} on the real account. Continue? [y/N] `);
        if (!/^y(es)?$/i.test(answer.trim())) throw new UserError('cancelled; nothing was sent');
    } finally {
        rl.close();
    }
}
