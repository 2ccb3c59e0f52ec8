import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Peak memory of a run, measured as growth above a baseline taken just before it starts. The simulator's data set
 * lives in the same process (a 100k-thread mailbox is hundreds of MB by itself), so absolute RSS would mostly
 * measure the simulator; the growth is what the sync itself holds on to (pages in flight, records not yet saved,
 * a naive script's whole result set), plus whatever garbage the collector has not reclaimed yet.
 */
export interface MemoryPeak {
    /** Peak RSS minus the RSS at the start, bytes. */
    rssGrowth: number;
    /** Peak V8 heap used minus the heap used at the start, bytes. */
    heapGrowth: number;
    /** The baseline itself, for the report. */
    baselineRss: number;
    baselineHeap: number;
}

export class MemorySampler {
    private timer: NodeJS.Timeout | undefined;
    private baselineRss = 0;
    private baselineHeap = 0;
    private peakRss = 0;
    private peakHeap = 0;
    private lastSample = 0;

    constructor(private readonly everyMs = 20) {}

    start(): void {
        collectGarbage();
        const base = process.memoryUsage();
        this.baselineRss = this.peakRss = base.rss;
        this.baselineHeap = this.peakHeap = base.heapUsed;
        this.timer = setInterval(() => this.sample(), this.everyMs);
    }

    stop(): MemoryPeak {
        this.lastSample = 0;
        this.sample();
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        return {
            rssGrowth: Math.max(0, this.peakRss - this.baselineRss),
            heapGrowth: Math.max(0, this.peakHeap - this.baselineHeap),
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
        const usage = process.memoryUsage();
        if (usage.rss > this.peakRss) this.peakRss = usage.rss;
        if (usage.heapUsed > this.peakHeap) this.peakHeap = usage.heapUsed;
    }
}

let gc: (() => void) | undefined;

/** A full collection before the baseline, so garbage of the previous run is not charged to the next one. */
export function collectGarbage(): void {
    if (!gc) {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
    }
    gc();
    gc();
}
