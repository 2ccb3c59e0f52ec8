/**
 * The floor each sync is judged against: the fewest calls and quota units the provider's published cost table
 * allows for a given data set, and the best throughput its per-user limit and the per-call latency allow. The
 * figures, and the provider documentation they come from: docs/provider-costs.md.
 */

export interface DataShape {
    /** Records the sync must cache. */
    records: number;
    /** Calendar only: events per calendar (sync state and paging are per calendar). */
    perPartition?: number[];
    /** Gmail only: synced threads that hold a single message, and every message messages.list lists (spam and trash included). */
    singleMessage?: number;
    listedMessages?: number;
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
    /**
     * Records per second the per-user limit allows for this run, starting from an unused window: one window's worth
     * of units at once, then one more window's worth per window (the exact bound of a sliding window). Null when the
     * run fits in one window, so the limit does not bind at all.
     */
    quotaThroughput: number | null;
    /** Records per second the latency permits along the sequential calls. */
    latencyThroughput: number;
    /** The lower of the two: the best any script could do here. Never exceeded by a correct measurement. */
    limitThroughput: number;
    /** The steady rate the limit allows on long runs (Gmail: 25 threads/s), records per second; for context. */
    sustainedThroughput: number | null;
    /** What binds, in words, for the report. */
    boundBy: string;
}

interface CostModel {
    /** Calls and units of the cheapest complete full sync that can go on incrementally. */
    cheapest(shape: DataShape): { calls: number; units: number; sequential: number };
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

function readBySize({ records, singleMessage = 0, listedMessages = records }: DataShape): {
    calls: number;
    units: number;
    sequential: number;
} {
    const pages = Math.max(1, ceilDiv(listedMessages, 500));
    return {
        calls: 1 + pages + records,
        units: 1 + 5 * pages + 5 * singleMessage + 10 * (records - singleMessage),
        sequential: 1 + pages
    };
}

export const COST_MODELS: Record<string, CostModel> = {
    // The cheapest way to read every body: getProfile (1), messages.list at 500 ids a page (5 units) to learn each
    // thread's size, then messages.get (5) for a thread of one message and threads.get (10) for the rest. The gets
    // can overlap; the list pages cannot. gmail-threads reads this way (it also pays threads.list at 500 threads a
    // page, 10 units, for a position it can resume from). `gmail-threads by size` names the same floor for the
    // experiment's script.
    'gmail-threads': { cheapest: readBySize },
    'gmail-threads by size': { cheapest: readBySize },
    // connections.list at 1000 a page carries the whole person: one call per page, one unit per call.
    'gmail-contacts': {
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 1000));
            return { calls: pages, units: pages, sequential: pages };
        }
    },
    // One SOQL query answered in pages of 2000 (the largest Sforce-Query-Options batch size); each page is one call.
    'salesforce-leads': {
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 2000));
            return { calls: pages, units: pages, sequential: pages };
        }
    },
    'salesforce-opportunities': {
        cheapest: ({ records }) => {
            const pages = Math.max(1, ceilDiv(records, 2000));
            return { calls: pages, units: pages, sequential: pages };
        }
    },
    // events.list at 2500 a page, per calendar; calendars can be read side by side.
    events: {
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
    const limited = Number.isFinite(limit.capacity) && limit.capacity > 0;
    // The k-th unit (from 1) can be spent once floor((k - 1) / capacity) windows have passed; the call carrying the
    // last one still takes its latency.
    const windows = limited ? Math.floor((units - 1) / limit.capacity) : 0;
    const quotaSeconds = windows > 0 ? (windows * limit.windowMs + latencyMs) / 1000 : 0;
    const latencySeconds = (sequential * latencyMs) / 1000;
    const quotaThroughput = quotaSeconds > 0 ? shape.records / quotaSeconds : null;
    const latencyThroughput = latencySeconds > 0 ? shape.records / latencySeconds : Infinity;
    const quotaBinds = quotaThroughput !== null && quotaThroughput < latencyThroughput;
    const perRecord = units / Math.max(1, shape.records);
    return {
        minCalls: calls,
        minUnits: units,
        sequentialCalls: sequential,
        quotaThroughput,
        latencyThroughput,
        limitThroughput: quotaBinds ? quotaThroughput : latencyThroughput,
        sustainedThroughput: limited ? limit.capacity / (limit.windowMs / 1000) / perRecord : null,
        boundBy: quotaBinds
            ? `quota: ${limit.capacity.toLocaleString('en-US')} units / ${formatWindow(limit.windowMs)} (${windows} window${windows === 1 ? '' : 's'})`
            : `latency: ${sequential} sequential call${sequential === 1 ? '' : 's'} × ${latencyMs} ms`
    };
}

function formatWindow(ms: number): string {
    return ms >= 3_600_000 ? `${ms / 3_600_000} h` : `${ms / 1000} s`;
}
