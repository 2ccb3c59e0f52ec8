import { LocalNangoSync } from '../runtime/nango-sync.js';
import type { RecordsStore } from '../runtime/records-store.js';
import { ModelValidator } from '../runtime/validation.js';

/**
 * The time the local runtime spends where Nango would make a request to its records service, kept off the run's
 * time line and reported apart, so a sync's figures read as they would on Nango.
 *
 * On Nango, `batchSave` (and batchDelete, batchUpdate, getRecordsByIds, checkpoints, metadata) is an HTTP request
 * from the runner to the persist service, chunked by 1,000 records (NangoHQ/nango packages/runner/lib/sdk/sdk.ts);
 * the runner does not validate records against the model (runner-sdk's `validateRecords` is called only by the CLI's
 * dryrun, packages/cli/lib/services/sdk.ts). Here the same calls run in-process: persist's request checks
 * (runtime/platform-limits.ts), the SQLite store (runtime/records-store.ts) and dryrun's model validation
 * (runtime/validation.ts), on this process's CPU, which the bench's event clock would otherwise charge to the sync.
 *
 * Measured at the bench's side, without runtime changes: the bench wraps the store it hands to the run, and for the
 * run's duration the records methods of the runtime's `nango` object and the validator's `problems`. Each measured
 * call pauses the clock (when it can be paused) and is timed in CPU time, the event clock's unit. The wrapped
 * methods do their work synchronously (batchSave and friends are `async` but never await), so the call's span is the
 * work's span. The persist service's own latency on Nango is not modelled: it is one round trip per 1,000-record
 * chunk, and in a pipelined sync it overlaps the next page's request.
 */
export interface RuntimeTime {
    /** Records service stand-in: store reads and writes, checkpoints, metadata, persist's request checks. */
    recordsMs: number;
    /** Model validation as `nango dryrun --validate` does it (Nango's runner does not). */
    validationMs: number;
}

type Kind = keyof RuntimeTime;

export class RuntimeTimer {
    private readonly totals: RuntimeTime = { recordsMs: 0, validationMs: 0 };
    /** Open measurements, innermost last; an inner one's time is taken out of the outer one. */
    private readonly open: { kind: Kind; started: number; inner: number }[] = [];

    constructor(private readonly pauseClock: (() => () => void) | undefined) {}

    totalsMs(): RuntimeTime {
        return { ...this.totals };
    }

    measure<T>(kind: Kind, work: () => T): T {
        const resume = this.open.length === 0 ? this.pauseClock?.() : undefined;
        this.open.push({ kind, started: cpuMs(), inner: 0 });
        try {
            return work();
        } finally {
            const entry = this.open.pop()!;
            const spent = cpuMs() - entry.started;
            this.totals[entry.kind] += spent - entry.inner;
            const outer = this.open[this.open.length - 1];
            if (outer) outer.inner += spent;
            resume?.();
        }
    }

    /**
     * Work of the bench itself inside a measured call (the memory sampler's forced collections, reached through the
     * run's progress callback): neither the sync's time nor the runtime's. Returns the function that ends it.
     */
    suspend(): () => void {
        const resumeClock = this.pauseClock?.();
        const started = cpuMs();
        let done = false;
        return () => {
            if (done) return;
            done = true;
            const outer = this.open[this.open.length - 1];
            if (outer) outer.inner += cpuMs() - started;
            resumeClock?.();
        };
    }

    /** The store, with every method measured as records service time. */
    wrapStore(store: RecordsStore): RecordsStore {
        return new Proxy(store, {
            get: (target, property, receiver) => {
                const value = Reflect.get(target, property, receiver) as unknown;
                if (typeof value !== 'function') return value;
                return (...args: unknown[]) => this.measure('recordsMs', () => (value as (...a: unknown[]) => unknown).apply(target, args));
            }
        });
    }

    /** Measures the runtime's records calls and validation until the returned function is called. */
    install(): () => void {
        const restore: (() => void)[] = [];
        const wrap = (prototype: object, method: string, kind: Kind) => {
            const original = Reflect.get(prototype, method) as (...args: unknown[]) => unknown;
            const measure = <T>(work: () => T): T => this.measure(kind, work);
            Reflect.set(prototype, method, function (this: unknown, ...args: unknown[]) {
                return measure(() => original.apply(this, args));
            });
            restore.push(() => Reflect.set(prototype, method, original));
        };
        for (const method of ['batchSave', 'batchDelete', 'batchUpdate', 'getRecordsByIds'])
            wrap(LocalNangoSync.prototype, method, 'recordsMs');
        wrap(ModelValidator.prototype, 'problems', 'validationMs');
        return () => {
            for (const undo of restore.reverse()) undo();
        };
    }
}

/** User and system CPU time of the main thread, in milliseconds, as the event clock reads it (bench/event-clock.ts: resolution). */
function cpuMs(): number {
    const usage = process.threadCpuUsage();
    return (usage.user + usage.system) / 1000;
}
