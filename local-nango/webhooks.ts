import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../runtime/clock.js';

// Nango's outgoing webhooks (NangoHQ/nango packages/webhooks/lib/utils.ts `deliver`, packages/utils/lib/retry.ts):
// the body is serialised with sorted keys (stringifyStable) and those exact bytes are signed; `X-Nango-Hmac-Sha256`
// is the hex HMAC-SHA256 of them keyed with the environment's webhook signing key (`X-Nango-Signature`, sha256 of
// key + body, is still sent beside it). Each attempt waits at most NANGO_WEBHOOK_TIMEOUT_MS (20 s); a network error,
// a timeout or a 5xx is retried NANGO_WEBHOOK_RETRY_ATTEMPTS (2) times after 3 s then 6 s (getExponentialBackoff:
// 3000 * 2^attempt); a 3xx or 4xx answer is not retried (shouldRetry).

export const WEBHOOK_TIMEOUT_MS = 20_000;
export const WEBHOOK_RETRY_ATTEMPTS = 2;
const backoffMs = (attempt: number) => Math.min(3000 * 2 ** attempt, 10 * 60_000);
const NETWORK_ERRORS = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'EHOSTUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** One delivery as the sender ended it, for the serve log and the tests. */
export interface WebhookDelivery {
    body: Record<string, unknown>;
    /** The answer of each attempt: a status, or the error code of a failed attempt (`timeout`, `ECONNREFUSED`...). */
    attempts: (number | string)[];
    delivered: boolean;
}

/** JSON with keys sorted at every level, as Nango's stringifyStable writes it. */
export function stableStringify(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v
    );
}

export interface WebhookSenderOptions {
    url: string;
    signingKey: string;
    /** Backoff waits run on this clock (a VirtualClock in tests). */
    clock: Clock;
    /** How a POST is made (default: the process's fetch). The local API passes one outside the simulated network. */
    fetch?: typeof fetch | undefined;
    onDelivery?: ((delivery: WebhookDelivery) => void) | undefined;
}

export class WebhookSender {
    readonly deliveries: WebhookDelivery[] = [];
    private readonly pending = new Set<Promise<void>>();

    constructor(private readonly options: WebhookSenderOptions) {
        if (!options.signingKey) throw new Error('a webhook signing key is required');
    }

    get url(): string {
        return this.options.url;
    }

    /** Starts a delivery; Nango does not wait for it before the next job, nor does this. */
    send(body: Record<string, unknown>): void {
        const work = this.deliver(body).finally(() => this.pending.delete(work));
        this.pending.add(work);
    }

    async idle(): Promise<void> {
        while (this.pending.size > 0) await Promise.all([...this.pending]);
    }

    private async deliver(body: Record<string, unknown>): Promise<void> {
        const raw = stableStringify(body);
        const headers = {
            'content-type': 'application/json',
            'user-agent': 'nango-local',
            'X-Nango-Signature': createHash('sha256').update(`${this.options.signingKey}${raw}`).digest('hex'),
            'X-Nango-Hmac-Sha256': createHmac('sha256', this.options.signingKey).update(raw).digest('hex')
        };
        const post = this.options.fetch ?? fetch;
        const delivery: WebhookDelivery = { body, attempts: [], delivered: false };
        for (let attempt = 0; attempt <= WEBHOOK_RETRY_ATTEMPTS; attempt++) {
            let retry: boolean;
            try {
                const res = await post(this.options.url, {
                    method: 'POST',
                    headers,
                    body: raw,
                    redirect: 'manual',
                    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)
                });
                await res.arrayBuffer().catch(() => undefined);
                delivery.attempts.push(res.status);
                if (res.status >= 200 && res.status < 300) {
                    delivery.delivered = true;
                    break;
                }
                retry = res.status >= 500;
            } catch (err) {
                const code = failureCode(err);
                delivery.attempts.push(code);
                retry = code === 'timeout' || NETWORK_ERRORS.has(code);
            }
            if (!retry || attempt === WEBHOOK_RETRY_ATTEMPTS) break;
            await this.options.clock.sleep(backoffMs(attempt));
        }
        this.deliveries.push(delivery);
        this.options.onDelivery?.(delivery);
    }
}

function failureCode(err: unknown): string {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timeout';
    const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
    return typeof cause?.code === 'string' ? cause.code : 'unknown_error';
}

export interface SyncRunReport {
    connectionId: string;
    providerConfigKey: string;
    syncName: string;
    models: readonly string[];
    /** Nango's operation: a run with no last sync date is FULL, reported as `INITIAL` (deprecated, kept). */
    full: boolean;
    startedAt: Date;
    /** The end of the previous successful run, if any (what a failure webhook calls `startedAt`). */
    lastSyncDate: Date | null;
    endedAt: Date;
    byModel: Record<string, { added: number; updated: number; deleted: number }>;
    error?: { message: string; payload?: unknown } | undefined;
    checkpoints: { from: Record<string, unknown> | null; to: Record<string, unknown> | null } | null;
}

/**
 * The sync webhooks of one run (packages/jobs/lib/execution/sync.ts calling packages/webhooks/lib/sync.ts
 * `sendSync`). A success sends one per model that changed, with `modifiedAfter` and the deprecated
 * `queryTimeStamp` both the run's start, and `responseResults` whose `deleted` is always there (0 unless some were
 * deleted); a run that changed nothing sends nothing, `on_sync_completion_always` defaulting to false
 * (packages/database/lib/migrations/20240531122550_add_webhooks_table.cjs). A failure sends ONE, its `model` the
 * sync's models joined by commas, `error: { type: 'script_error', description, payload? }`, `startedAt` the last
 * sync date (now when there is none) and `failedAt` now.
 */
export function syncWebhookBodies(run: SyncRunReport): Record<string, unknown>[] {
    const base = (model: string) => ({
        from: 'nango',
        type: 'sync',
        connectionId: run.connectionId,
        providerConfigKey: run.providerConfigKey,
        syncName: run.syncName,
        syncVariant: 'base',
        model,
        syncType: run.full ? 'INITIAL' : 'INCREMENTAL',
        ...(run.checkpoints ? { checkpoints: run.checkpoints } : {})
    });
    if (run.error) {
        const { message, payload } = run.error;
        return [
            {
                ...base(run.models.join(',')),
                success: false,
                error: { type: 'script_error', description: message, ...(payload ? { payload } : {}) },
                startedAt: (run.lastSyncDate ?? run.endedAt).toISOString(),
                failedAt: run.endedAt.toISOString()
            }
        ];
    }
    return run.models.flatMap((model) => {
        const counts = run.byModel[model] ?? { added: 0, updated: 0, deleted: 0 };
        if (counts.added === 0 && counts.updated === 0 && counts.deleted === 0) return [];
        return [
            {
                ...base(model),
                success: true,
                responseResults: { added: counts.added, updated: counts.updated, deleted: counts.deleted },
                modifiedAfter: run.startedAt.toISOString(),
                queryTimeStamp: run.startedAt.toISOString()
            }
        ];
    });
}
