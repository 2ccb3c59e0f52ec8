/**
 * The webhook receiver, framework-neutral: `handle(rawBody, headers)` answers `{ status, body }` at once and does the
 * work afterwards, because Nango gives up on an answer after 20 s and tries again, `max: NANGO_WEBHOOK_RETRY_ATTEMPTS`
 * (default 2) in its retry loop (NangoHQ/nango packages/webhooks/lib/utils.ts; NANGO_WEBHOOK_TIMEOUT_MS = 20_000 and
 * NANGO_WEBHOOK_RETRY_ATTEMPTS = 2 in packages/utils/lib/environment/parse.ts). Any non-2xx answer is retried too.
 *
 * Authenticity: `X-Nango-Hmac-Sha256` is the hex HMAC-SHA256 of the raw body keyed with the environment's webhook
 * signing key (packages/webhooks/lib/utils.ts `getHmacSignatureHeader`; @nangohq/node `verifyIncomingWebhookRequest`).
 * The older `X-Nango-Signature` (sha256 of key + body) is open to length extension and is never accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseWebhook, type NangoWebhook } from './schemas.js';

export type Headers = Record<string, string | string[] | undefined>;

export interface WebhookAnswer {
    status: number;
    body: Record<string, unknown>;
}

export interface WebhookReceiverOptions {
    /** The environment's webhook signing key (Environment Settings -> Webhooks). Required. */
    signingKey: string | undefined;
    /** The work for one webhook, run after the answer. */
    onWebhook: (webhook: NangoWebhook) => Promise<void>;
    /** Where a failure of the work goes (default: stderr). Nango is not told: it got its 200 already. */
    onError?: ((error: unknown, webhook: NangoWebhook) => void) | undefined;
}

export interface WebhookReceiver {
    handle(rawBody: string | Uint8Array, headers: Headers): WebhookAnswer;
    /** Resolves when every piece of work started so far has ended (for shutdown and tests). */
    idle(): Promise<void>;
}

const SIGNATURE_HEADER = 'x-nango-hmac-sha256';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function headerValue(headers: Headers, name: string): string | undefined {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : headers[key];
    return typeof value === 'string' ? value : undefined;
}

export function signWebhook(signingKey: string, rawBody: string | Uint8Array): string {
    return createHmac('sha256', signingKey).update(rawBody).digest('hex');
}

export function verifySignature(signingKey: string, rawBody: string | Uint8Array, headers: Headers): boolean {
    const given = headerValue(headers, SIGNATURE_HEADER);
    if (!given || !HEX_SHA256.test(given)) {
        return false;
    }
    return timingSafeEqual(Buffer.from(signWebhook(signingKey, rawBody), 'hex'), Buffer.from(given, 'hex'));
}

export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
    const { signingKey } = options;
    if (!signingKey) {
        throw new Error(
            'No webhook signing key: refusing to accept webhooks that cannot be verified (set it from the Nango environment settings)'
        );
    }
    const onError = options.onError ?? ((error: unknown) => process.stderr.write(`webhook work failed: ${String(error)}\n`));
    const running = new Set<Promise<void>>();

    return {
        handle(rawBody, headers) {
            if (!verifySignature(signingKey, rawBody, headers)) {
                return { status: 401, body: { error: 'invalid_signature' } };
            }
            let json: unknown;
            try {
                json = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
            } catch {
                return { status: 400, body: { error: 'invalid_json' } };
            }
            const parsed = parseWebhook(json);
            if (parsed.kind === 'unknown') {
                return { status: 200, body: { received: true, ignored: true } };
            }
            if (parsed.kind === 'invalid') {
                return { status: 400, body: { error: 'invalid_webhook', issues: parsed.issues } };
            }
            const { webhook } = parsed;
            // After the answer: setImmediate lets the caller write the response before the work starts.
            const work = new Promise<void>((resolve) => setImmediate(resolve))
                .then(() => options.onWebhook(webhook))
                .catch((error: unknown) => onError(error, webhook))
                .finally(() => running.delete(work));
            running.add(work);
            return { status: 200, body: { received: true } };
        },
        async idle() {
            while (running.size > 0) {
                await Promise.all([...running]);
            }
        }
    };
}
