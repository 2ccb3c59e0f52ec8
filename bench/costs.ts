/**
 * The floor each sync is judged against: the fewest calls and quota units the provider's published cost table
 * allows for a given data set (../shared/reference/provider-apis.md), and the best throughput its per-user limit and
 * the per-call latency allow.
 */

export interface DataShape {
    /** Records the sync must cache. */
    records: number;
    /** Calendar only: events per calendar (sync state and paging are per calendar). */
    perPartition?: number[];
}

export interface ProviderLimit {
    /** Units per window, as the simulator enforces it. */
    capacity: number;
    windowMs: number;
}

export interface Floor {
    minCalls: number;
    minUnits: number;
    /** The calls that must follow one another (page tokens), whatever the concurrency. */
    sequentialCalls: number;
    /** Records per second the quota permits, sustained; null when the quota does not bind at this size. */
    quotaThroughput: number | null;
    /** Records per second the latency permits along the sequential calls. */
    latencyThroughput: number;
    /** The lower of the two: the best any script could do here. */
    limitThroughput: number;
    /** What binds, in words, for the report. */
    boundBy: string;
}

interface CostModel {
    /** Calls and units of the cheapest complete full sync. */
    cheapest(shape: DataShape): { calls: number; units: number; sequential: number };
    /**
     * A per-minute limit binds a long run at its sustained rate; a daily allowance binds only once the run needs
     * more than the whole allowance.
     */
    window: 'per-minute' | 'daily';
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export const COST_MODELS: Record<string, CostModel> = {
    // getProfile (1 unit) for the history id, threads.list at 500 a page (10 units), threads.get each (10 units).
    // The gets can overlap; the list pages cannot.
    'gmail-threads': {
        window: 'per-minute',
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 500));
            return { calls: 1 + pages + records, units: 1 + 10 * pages + 10 * records, sequential: 1 + pages };
        }
    },
    // connections.list at 1000 a page carries the whole person: one call per page, one unit per call.
    'gmail-contacts': {
        window: 'per-minute',
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 1000));
            return { calls: pages, units: pages, sequential: pages };
        }
    },
    // One SOQL query answered in pages of 2000 (the largest Sforce-Query-Options batch size); each page is one call.
    'salesforce-leads': {
        window: 'daily',
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 2000));
            return { calls: pages, units: pages, sequential: pages };
        }
    },
    'salesforce-opportunities': {
        window: 'daily',
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 2000));
            return { calls: pages, units: pages, sequential: pages };
        }
    },
    // events.list at 2500 a page, per calendar; calendars can be read side by side.
    events: {
        window: 'per-minute',
        cheapest: ({ records, perPartition }) => {
            const partitions = perPartition && perPartition.length > 0 ? perPartition : [records];
            const pages = partitions.map((n) => Math.max(1, ceilDiv(n, 2500)));
            const calls = pages.reduce((a, b) => a + b, 0);
            return { calls, units: calls, sequential: Math.max(...pages) };
        }
    }
};

export function floorFor(sync: string, shape: DataShape, latencyMs: number, limit: ProviderLimit): Floor {
    const model = COST_MODELS[sync];
    if (!model) throw new Error(`no cost model for ${sync}`);
    const { calls, units, sequential } = model.cheapest(shape);
    const perSecond = limit.capacity / (limit.windowMs / 1000);
    const quotaSeconds = !Number.isFinite(limit.capacity) || (model.window === 'daily' && units <= limit.capacity) ? 0 : units / perSecond;
    const latencySeconds = (sequential * latencyMs) / 1000;
    const quotaThroughput = quotaSeconds > 0 ? shape.records / quotaSeconds : null;
    const latencyThroughput = latencySeconds > 0 ? shape.records / latencySeconds : Infinity;
    const quotaBinds = quotaThroughput !== null && quotaThroughput < latencyThroughput;
    return {
        minCalls: calls,
        minUnits: units,
        sequentialCalls: sequential,
        quotaThroughput,
        latencyThroughput,
        limitThroughput: quotaBinds ? quotaThroughput : latencyThroughput,
        boundBy: quotaBinds
            ? `quota: ${limit.capacity.toLocaleString('en-US')} units / ${limit.windowMs / 1000} s`
            : `latency: ${sequential} sequential call(s) × ${latencyMs} ms`
    };
}
