import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { getProvider } from '@nangohq/providers';
import type { ProxyConfiguration } from '@nangohq/runner-sdk';
import type { Provider, RetryHeaderConfig } from '@nangohq/types';
import type { Clock } from './clock.js';

/**
 * The HTTP half of Nango's proxy as a script sees it (packages/shared/lib/services/proxy/{utils,request,retry}.ts and
 * retryFlexible in packages/utils, NangoHQ/nango): the URL is the provider's base URL (or `baseUrlOverride`) plus the
 * endpoint, the bearer token is added, and failures are retried per the call's `retries` with Nango's rules. The
 * request goes out with the host's `fetch`, so msw answers it in tests. Waits happen on the run's clock.
 */

/**
 * What sends one HTTP attempt: the host's `fetch` by default. A replay passes one that answers from a recording; it
 * also gets the script's own request (`config`), since a recording is keyed by the endpoint and params the script
 * passed, not by the provider URL. An error it throws is a network error to the script (retried only for the
 * codes Nango retries, read from `cause.code`).
 */
export type ProxyTransport = (
    url: string,
    init: { method: string; headers: Record<string, string>; body?: Buffer },
    config: ProxyConfiguration
) => Promise<Response>;

export interface ProxyContext {
    provider: string;
    /** Default: the host's fetch. */
    transport?: ProxyTransport | undefined;
    accessToken: string;
    connectionConfig: Record<string, unknown>;
    clock: Clock;
    userAgent: string;
    /** Called before each HTTP attempt (retries included); it may throw to send nothing more (a simulated crash). */
    beforeAttempt?: () => void;
    /** Called once per HTTP attempt (retries included). */
    onAttempt?: (attempt: { method: string; url: string; status: number | null }) => void;
    /**
     * Called once per answer the provider sent (not for network errors), after its body is read and before it is
     * returned, thrown or retried. It may throw to end the call there (the runtime's simulated crash).
     */
    onAnswer?: (answer: { method: string; url: string; status: number }) => void | Promise<void>;
    log: (level: 'info' | 'warn' | 'error', message: string) => void;
    /** Not in Nango: an upper bound on any single wait, for long benches. Nango's server waits what headers say. */
    maxWaitMs?: number | undefined;
}

/** The axios response shape scripts read (`res.data`, `res.status`, `res.headers`). */
export interface ProxyResponse<T = unknown> {
    data: T;
    status: number;
    statusText: string;
    headers: Record<string, string>;
    config: ProxyRequestConfig;
    request: { method: string; url: string };
}

export interface ProxyRequestConfig {
    method: string;
    url: string;
    headers: Record<string, string>;
    data?: unknown;
}

/** Nango's server uses axios: scripts see an AxiosError, with `response` set when the provider answered. */
export class ProxyHttpError extends Error {
    override readonly name = 'AxiosError';
    readonly isAxiosError = true;
    readonly status: number | undefined;

    constructor(
        message: string,
        readonly code: string,
        readonly config: ProxyRequestConfig,
        readonly response?: ProxyResponse
    ) {
        super(message);
        this.status = response?.status;
    }

    toJSON(): Record<string, unknown> {
        return { name: this.name, message: this.message, code: this.code, status: this.status ?? null };
    }
}

/** axios error codes Nango retries as network errors (networkError in @nangohq/utils). */
const RETRIED_NETWORK_CODES = ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED'];
const METHODS_WITH_BODY = ['POST', 'PUT', 'PATCH', 'DELETE'];
const MAX_BACKOFF_MS = 10 * 60 * 1000;

/** retryFlexible's backoff: 3 s, 6 s, 12 s... capped at 10 minutes. */
export function backoffMs(attempt: number): number {
    return Math.min(3000 * 2 ** attempt, MAX_BACKOFF_MS);
}

export async function sendProxyRequest(config: ProxyConfiguration, ctx: ProxyContext): Promise<ProxyResponse> {
    const provider = getProvider(ctx.provider);
    if (!provider) throw new Error(`unknown_provider: ${ctx.provider}`);
    const request = buildRequest(config, provider, ctx);
    const max = config.retries ?? 0;
    // Nango's runner retries a 401 once, then only if the credentials changed meanwhile; locally they never do.
    let retried401 = false;

    for (let attempt = 0; ; attempt++) {
        ctx.beforeAttempt?.();
        try {
            return await sendOnce(request, config, ctx);
        } catch (err) {
            if (!(err instanceof ProxyHttpError) || attempt >= max) throw err;
            let decision = retryDecision(err, config, provider, ctx.clock);
            if (decision.retry && decision.reason === 'status_code_401') {
                if (retried401) decision = { retry: false, reason: 'invalid_credentials' };
                retried401 = true;
            }
            if (!decision.retry) {
                ctx.log('warn', `Skipping retry HTTP call (reason: ${decision.reason}) [${attempt + 1}/${max}]`);
                throw err;
            }
            let wait = decision.wait ?? backoffMs(attempt);
            if (ctx.maxWaitMs !== undefined) wait = Math.min(wait, ctx.maxWaitMs);
            ctx.log('warn', `Retrying HTTP call (reason: ${decision.reason}). Waiting for ${wait}ms [${attempt + 1}/${max}]`);
            await ctx.clock.sleep(wait);
        }
    }
}

// -------------------------------------------------------------------------------------------------------------
// Request
// -------------------------------------------------------------------------------------------------------------

interface BuiltRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: Buffer | undefined;
    data: unknown;
}

function buildRequest(config: ProxyConfiguration, provider: Provider, ctx: ProxyContext): BuiltRequest {
    const method = (config.method ?? 'GET').toUpperCase();
    const url = buildUrl(config, provider, ctx.connectionConfig);
    const headers: Record<string, string> = { authorization: `Bearer ${ctx.accessToken}`, 'user-agent': ctx.userAgent };
    for (const [key, value] of Object.entries(config.headers ?? {})) headers[key.toLowerCase()] = String(value);

    let body: Buffer | undefined;
    const data = config.data;
    if (data && METHODS_WITH_BODY.includes(method)) {
        if (typeof data === 'string') {
            body = Buffer.from(data);
        } else if (Buffer.isBuffer(data) || data instanceof Uint8Array) {
            body = Buffer.from(data);
        } else if (data instanceof URLSearchParams) {
            headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=utf-8';
            body = Buffer.from(data.toString());
        } else {
            headers['content-type'] ??= 'application/json';
            body = Buffer.from(JSON.stringify(data));
        }
    }
    return { method, url, headers, body, data };
}

/** buildProxyURL: base (or override) + endpoint, `${connectionConfig.x}` interpolated, then `params`. */
export function buildUrl(config: ProxyConfiguration, provider: Provider, connectionConfig: Record<string, unknown>): string {
    const templateBase = provider.proxy?.base_url;
    let endpoint = config.endpoint ?? '';
    if (!config.baseUrlOverride && templateBase && endpoint.includes(templateBase)) endpoint = endpoint.replace(templateBase, '');
    const base = config.baseUrlOverride ?? templateBase;
    if (!base) throw new Error(`unsupported_provider: ${provider.display_name} has no proxy base URL and no baseUrlOverride was given`);

    const normalizedBase = base.endsWith('/') ? base.slice(0, -1) : base;
    const normalizedEndpoint = endpoint.startsWith('/') ? endpoint.slice(1) : endpoint;
    const combined = [normalizedBase, normalizedEndpoint].filter(Boolean).join('/');
    const interpolated = combined.replace(/\$\{connectionConfig\.([\w-]+)\}/g, (_, key: string) => {
        const value = connectionConfig[key];
        if (value === undefined || value === null || value === '') throw new Error(`missing connection config '${key}' needed by ${base}`);
        return String(value);
    });

    const url = new URL(interpolated);
    const params = config.params;
    if (typeof params === 'string') {
        if (interpolated.includes('?')) throw new Error('invalid_query_params: Can not set query params in endpoint and in params');
        return new URL(`${interpolated}${params.startsWith('?') ? params : `?${params}`}`).toString();
    }
    for (const [key, value] of Object.entries(params ?? {})) url.searchParams.set(key, String(value));
    return url.toString();
}

// -------------------------------------------------------------------------------------------------------------
// One attempt
// -------------------------------------------------------------------------------------------------------------

async function sendOnce(request: BuiltRequest, config: ProxyConfiguration, ctx: ProxyContext): Promise<ProxyResponse> {
    const requestConfig: ProxyRequestConfig = {
        method: request.method,
        url: request.url,
        headers: redactAuth(request.headers),
        data: request.data
    };
    let res: Response;
    try {
        const init = { method: request.method, headers: request.headers, ...(request.body ? { body: request.body } : {}) };
        res = ctx.transport ? await ctx.transport(request.url, init, config) : await fetch(request.url, init);
    } catch (err) {
        ctx.onAttempt?.({ method: request.method, url: request.url, status: null });
        const code = networkErrorCode(err);
        throw new ProxyHttpError(`${code}: ${errorMessage(err)}`, code, requestConfig);
    }
    ctx.onAttempt?.({ method: request.method, url: request.url, status: res.status });

    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
        headers[key] = value;
    });
    const response: ProxyResponse = {
        data: await readBody(res, config.responseType),
        status: res.status,
        statusText: res.statusText,
        headers,
        config: requestConfig,
        request: { method: request.method, url: request.url }
    };
    await ctx.onAnswer?.({ method: request.method, url: request.url, status: res.status });
    if (res.status >= 200 && res.status < 300) return response;
    const code = res.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST';
    throw new ProxyHttpError(`Request failed with status code ${res.status}`, code, requestConfig, response);
}

/** axios's decoding: JSON when it parses (else the text), or what `responseType` asks for. */
async function readBody(res: Response, responseType: ProxyConfiguration['responseType']): Promise<unknown> {
    switch (responseType) {
        case 'arraybuffer':
            return Buffer.from(await res.arrayBuffer());
        case 'blob':
            return await res.blob();
        case 'stream':
            return res.body ? Readable.fromWeb(res.body as unknown as WebReadableStream) : Readable.from([]);
        case 'text':
        case 'document':
            return await res.text();
        default: {
            const text = await res.text();
            if (text === '') return text;
            try {
                return JSON.parse(text) as unknown;
            } catch {
                return text;
            }
        }
    }
}

function networkErrorCode(err: unknown): string {
    const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
    return typeof cause?.code === 'string' ? cause.code : 'ECONNRESET';
}

function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

function redactAuth(headers: Record<string, string>): Record<string, string> {
    return { ...headers, authorization: 'Bearer ***' };
}

// -------------------------------------------------------------------------------------------------------------
// Retry policy: getProxyRetryFromErr
// -------------------------------------------------------------------------------------------------------------

export interface RetryDecision {
    retry: boolean;
    reason: string;
    wait?: number;
}

export function retryDecision(err: ProxyHttpError, config: ProxyConfiguration, provider: Provider, clock: Clock): RetryDecision {
    if (!err.response) {
        return RETRIED_NETWORK_CODES.includes(err.code)
            ? { retry: true, reason: 'network_error' }
            : { retry: false, reason: 'not_retryable' };
    }
    const status = err.response.status;
    const headers = err.response.headers;
    const providerRetry = provider.proxy?.retry;
    let retryable = false;
    let reason: string | undefined;

    if (Array.isArray(providerRetry?.error_code)) {
        const code = providerRetry.error_code.find((rule) => matchesStatus(status, rule));
        if (code) {
            retryable = true;
            reason = `provider_error_code_${code}`;
        }
    } else {
        retryable = status >= 500 || status === 429 || status === 401;
    }
    if (!retryable && config.retryOn?.includes(status)) {
        retryable = true;
        reason = `retry_on_${status}`;
    }
    if (!retryable && providerRetry?.remaining && headers[providerRetry.remaining.toLowerCase()] === '0') {
        retryable = true;
        reason = 'provider_remaining';
    }
    if (!retryable) return { retry: false, reason: 'not_retryable' };

    const fromHeaders = (conf: RetryHeaderConfig | undefined, prefix: string): RetryDecision | null => {
        if (!conf || !(conf.at || conf.after)) return null;
        const type = conf.at ? 'at' : 'after';
        const names = [conf.at ?? conf.after ?? []].flat();
        const raw = names.map((n) => headers[n.toLowerCase()]).find((v) => v !== undefined);
        const wait = parseRetryValue(type, raw, clock);
        return wait === null ? null : { retry: true, reason: `${prefix}_${type}`, wait };
    };
    const custom = fromHeaders(config.retryHeader, 'custom');
    if (custom) return custom;
    const preconfigured = fromHeaders(providerRetry, 'preconfigured');
    if (preconfigured) return preconfigured;
    if (providerRetry?.in_body) {
        const wait = waitFromBody(err.response.data, providerRetry.in_body, clock);
        if (wait !== null) return { retry: true, reason: `preconfigured_in_body:${providerRetry.in_body.strategy}`, wait };
    }
    return { retry: true, reason: reason ?? `status_code_${status}` };
}

function matchesStatus(status: number, rule: string): boolean {
    if (!rule) return false;
    if (!Number.isNaN(Number(rule))) return status === Number(rule);
    const xx = /^(\d)xx$/i.exec(rule);
    if (xx) return Math.floor(status / 100) === Number(xx[1]);
    const range = /^(\d{3})-(\d{3})$/.exec(rule);
    if (range) return status >= Number(range[1]) && status <= Number(range[2]);
    return false;
}

/** 'after': seconds to wait. 'at': an epoch (s or ms) or a date; only a moment in the future counts. */
function parseRetryValue(type: 'at' | 'after', raw: string | undefined, clock: Clock): number | null {
    if (!raw) return null;
    if (type === 'after') {
        const seconds = Number(raw);
        return Number.isNaN(seconds) ? null : seconds * 1000;
    }
    const nowSeconds = Math.floor(clock.now() / 1000);
    const numeric = Number(raw);
    let atSeconds: number;
    if (!Number.isNaN(numeric)) {
        atSeconds = new Date(numeric).getUTCFullYear() > 1971 ? Math.floor(numeric / 1000) : numeric;
    } else {
        const ms = new Date(raw).getTime();
        if (Number.isNaN(ms)) return null;
        atSeconds = Math.floor(ms / 1000);
    }
    return atSeconds <= nowSeconds ? null : (atSeconds - nowSeconds) * 1000;
}

function waitFromBody(data: unknown, conf: NonNullable<RetryHeaderConfig['in_body']>, clock: Clock): number | null {
    let value: unknown = data;
    for (const key of conf.path.split('.'))
        value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof value !== 'string') return null;
    const match = value.match(conf.value ? new RegExp(conf.value) : /(?:)/);
    return match?.[1] ? parseRetryValue(conf.strategy, match[1].trim(), clock) : null;
}
