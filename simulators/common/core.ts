import { HttpResponse } from 'msw';
import type { Clock } from '../../runtime/clock.js';
import { CallMeter, SlidingWindowLimit } from './meter.js';
import { FaultInjector, type Fault } from './faults.js';

/** How a provider words its errors: each simulator supplies its own (Google JSON, Salesforce arrays...). */
export interface ErrorFormat {
    /** Missing or wrong bearer token. */
    unauthorized(): Response;
    /** The per-user limit is spent. */
    rateLimited(retryAfterMs: number, method: string): Response;
    /** An injected fault with a status code. */
    fault(fault: Extract<Fault, { kind: 'status' }>, method: string): Response;
}

export interface ApiCoreOptions {
    clock: Clock;
    errors: ErrorFormat;
    /** The bearer token the simulator accepts. */
    accessToken?: string;
    /** Per-call latency on the simulator's clock. */
    latencyMs?: number;
    /** The provider's per-user limit in units per window; Infinity disables it. */
    limit?: { capacity: number; windowMs: number };
}

export interface CallInfo {
    request: Request;
    /** The simulator's clock when the call is served. */
    now: number;
}

/**
 * What every simulated endpoint does before its own work, in the order the providers do it: fault injection,
 * authentication, latency, quota; then it counts the call. Handlers wrap their resolver with `serve`.
 */
export class ApiCore {
    readonly meter = new CallMeter();
    readonly faults = new FaultInjector();
    readonly limit: SlidingWindowLimit;
    accessToken: string;
    latencyMs: number;

    constructor(private readonly options: ApiCoreOptions) {
        this.accessToken = options.accessToken ?? 'test-access-token';
        this.latencyMs = options.latencyMs ?? 0;
        this.limit = new SlidingWindowLimit(options.limit?.capacity ?? Infinity, options.limit?.windowMs ?? 60_000);
    }

    get clock(): Clock {
        return this.options.clock;
    }

    /**
     * Runs `resolve` as the provider would serve `method` costing `units`. A `drop-response` fault applies the call,
     * then answers with a network error, which is how a client sees a timeout after the provider acted; an
     * `applied-then-status` fault applies it, then answers the provider's own error for that status.
     */
    async serve(
        method: string,
        units: number,
        request: Request,
        resolve: (call: CallInfo) => Response | Promise<Response>
    ): Promise<Response> {
        const fault = this.faults.take(method);
        if (this.latencyMs > 0) await this.options.clock.sleep(this.latencyMs);
        if (fault?.kind === 'network') {
            this.meter.record(method, 0);
            return HttpResponse.error();
        }
        if (fault?.kind === 'status') {
            this.meter.record(method, 0);
            return this.options.errors.fault(fault, method);
        }
        if (request.headers.get('authorization') !== `Bearer ${this.accessToken}`) {
            this.meter.record(method, 0);
            return this.options.errors.unauthorized();
        }
        const now = this.options.clock.now();
        const quota = this.limit.tryConsume(units, now);
        if (!quota.ok) {
            this.meter.record(method, 0, true);
            return this.options.errors.rateLimited(quota.retryAfterMs, method);
        }
        this.meter.record(method, units);
        const response = await resolve({ request, now });
        if (fault?.kind === 'drop-response') return HttpResponse.error();
        if (fault?.kind === 'applied-then-status') return this.options.errors.fault({ kind: 'status', status: fault.status }, method);
        return response;
    }
}
