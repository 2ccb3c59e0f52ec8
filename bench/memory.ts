import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Peak memory of a run, measured as growth above a baseline taken (after a full collection) just before it starts.
 * The simulator's data set lives in the same process (a 100k-thread mailbox is hundreds of MB by itself), so
 * absolute figures would mostly measure the simulator.
 *
 * Two heap figures: the raw peak of heap used, which includes garbage the collector has not reclaimed yet (V8 lets
 * it pile up when memory is plentiful, so it says more about allocation rate than about what a sync keeps), and the
 * peak of live heap, read right after a full collection forced about once a second: what the sync really holds on
 * to (pages in flight, records not yet saved, a naive script's whole result set).
 */
export interface MemoryPeak {
    /** Peak heap still in use after a full collection, minus the baseline, bytes. */
    liveHeapGrowth: number;
    /** Peak heap used (garbage included) minus the baseline, bytes. */
    heapGrowth: number;
    /** Peak RSS minus the RSS at the start, bytes. */
    rssGrowth: number;
    baselineRss: number;
    baselineHeap: number;
}

export interface SamplerOptions {
    /** How often heap and RSS are read, in real milliseconds. */
    everyMs?: number;
    /** How often a full collection is forced to read the live heap, in real milliseconds. */
    liveEveryMs?: number;
    /** Stops the run's clock while the sampler reads memory or forces a collection: the bench's work, not the sync's. */
    pause?: (() => () => void) | undefined;
}

export class MemorySampler {
    private timer: NodeJS.Timeout | undefined;
    private baselineRss = 0;
    private baselineHeap = 0;
    private peakRss = 0;
    private peakHeap = 0;
    private peakLive = 0;
    private lastSample = 0;
    private lastLive = 0;
    private readonly everyMs: number;
    private readonly liveEveryMs: number;

    constructor(private readonly options: SamplerOptions = {}) {
        this.everyMs = options.everyMs ?? 20;
        this.liveEveryMs = options.liveEveryMs ?? 1000;
    }

    start(): void {
        collectGarbage();
        const base = process.memoryUsage();
        this.baselineRss = this.peakRss = base.rss;
        this.baselineHeap = this.peakHeap = this.peakLive = base.heapUsed;
        this.lastLive = performance.now();
        this.timer = setInterval(() => this.sample(), this.everyMs);
    }

    stop(): MemoryPeak {
        this.lastSample = 0;
        this.sample();
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        return {
            liveHeapGrowth: Math.max(0, this.peakLive - this.baselineHeap),
            heapGrowth: Math.max(0, this.peakHeap - this.baselineHeap),
            rssGrowth: Math.max(0, this.peakRss - this.baselineRss),
            baselineRss: this.baselineRss,
            baselineHeap: this.baselineHeap
        };
    }

    /**
     * Also called at every progress report, so a burst in a long synchronous stretch (no timer tick) is still seen;
     * at most once per period, since process.memoryUsage() is not cheap on a large heap.
     */
    sample(): void {
        const now = performance.now();
        if (now - this.lastSample < this.everyMs / 2) return;
        this.lastSample = now;
        // The bench's work, not the sync's: off the run's clock like the forced collections.
        const resume = this.options.pause?.() ?? (() => undefined);
        try {
            const usage = process.memoryUsage();
            if (usage.rss > this.peakRss) this.peakRss = usage.rss;
            if (usage.heapUsed > this.peakHeap) this.peakHeap = usage.heapUsed;
        } finally {
            resume();
        }
        if (now - this.lastLive >= this.liveEveryMs) this.sampleLive();
    }

    /**
     * After each save: a script holds the most right before and while it saves (a naive one, everything it fetched,
     * until its one save at the end), so a save is where the live heap is worth reading, at most every 100 ms.
     */
    afterSave(): void {
        if (performance.now() - this.lastLive >= 100) this.sampleLive();
    }

    private sampleLive(): void {
        const resume = this.options.pause?.() ?? (() => undefined);
        try {
            collectGarbage();
            const live = process.memoryUsage().heapUsed;
            if (live > this.peakLive) this.peakLive = live;
        } finally {
            resume();
            this.lastLive = performance.now();
        }
    }
}

let gc: (() => void) | undefined;

/** A full collection, so garbage of the previous run is not charged to the next one. */
export function collectGarbage(): void {
    if (!gc) {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
    }
    gc();
}
