/**
 * Faults a test asks for: "the next N calls to this method fail with 503", "then a network error", "a 429 with
 * Retry-After: 2". The simulators consult it before doing any work, so `status` and `network` never half-apply a
 * write; `drop-response` and `applied-then-status` apply the call in full and only spoil the answer.
 */
export type Fault =
    | {
          kind: 'status';
          status: 401 | 403 | 404 | 409 | 410 | 412 | 429 | 500 | 502 | 503 | 504;
          retryAfterSeconds?: number;
          reason?: string;
      }
    | { kind: 'network' }
    /** The request reaches the provider and is applied, then the connection drops before the answer arrives. */
    | { kind: 'drop-response' }
    /** The request is applied, then the provider answers with a server error (a write that timed out behind the front end). */
    | { kind: 'applied-then-status'; status: 500 | 502 | 503 | 504 };

interface Pending {
    fault: Fault;
    remaining: number;
}

export class FaultInjector {
    private readonly queue = new Map<string, Pending[]>();

    /** The next `times` calls to `method` (a simulator's method name, e.g. `threads.get`, or `*`) fail with `fault`. */
    inject(method: string, fault: Fault, times = 1): void {
        const pending = this.queue.get(method) ?? [];
        pending.push({ fault, remaining: times });
        this.queue.set(method, pending);
    }

    /** The fault for this call, if one is pending; consumes it. */
    take(method: string): Fault | undefined {
        return this.takeFrom(method) ?? this.takeFrom('*');
    }

    clear(): void {
        this.queue.clear();
    }

    private takeFrom(key: string): Fault | undefined {
        const pending = this.queue.get(key);
        const head = pending?.[0];
        if (!pending || !head) return undefined;
        head.remaining -= 1;
        if (head.remaining <= 0) pending.shift();
        return head.fault;
    }
}
