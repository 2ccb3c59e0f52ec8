import type { Clock } from '../runtime/clock.js';

/**
 * The bench's time line: local work takes the CPU time it takes, waiting costs nothing.
 *
 * Time advances with the CPU time of this process's main thread (the script's parsing, mapping, validation and
 * saving, at this machine's speed), except while the clock is paused (the simulator computing an answer, which at a
 * real provider is part of the call's latency). Whenever the process has nothing left to do but wait for a sleeper (latency,
 * quota pacing, retry backoff), time jumps to the earliest wake-up. Sleeps that overlap cost the longest of them,
 * sleeps in sequence add up, and CPU time is never inflated — unlike a clock scaled by N, where 1 ms of local work
 * would count as N ms and swamp short waits. CPU time rather than wall time, so that other processes competing for
 * the machine do not slow the time line down (they lengthen the bench, not its results). The main thread's rather than
 * the whole process's: a script runs on one thread, and V8's helper threads (concurrent marking and sweeping, the
 * optimizing compiler) work beside it, not in its way, and part of what they mark is the simulator's data set, which
 * shares this heap and would not be in a runner's. What the collector does on the main thread (scavenges, the pauses
 * of a full collection) stays on the time line.
 *
 * "Nothing left to do" is detected with setImmediate: it runs once the microtask queue is drained and the loop has
 * no earlier work, and in the bench nothing else schedules real I/O during a run (the transport is in-process).
 */
export class EventClock implements Clock {
    private readonly epoch = Date.now();
    private readonly origin = cpuMs();
    private skipped = 0;
    private paused = 0;
    private pauseDepth = 0;
    private pausedSince = 0;
    private readonly sleepers: { wake: number; resolve: () => void }[] = [];
    private scheduled = false;

    /** Whole milliseconds, as Date.now(): simulators put times into ids and tokens. */
    now(): number {
        return this.epoch + Math.floor(this.elapsed());
    }

    /** Milliseconds on this time line since the clock was made. */
    elapsed(): number {
        const cpu = cpuMs();
        const paused = this.paused + (this.pauseDepth > 0 ? cpu - this.pausedSince : 0);
        return cpu - this.origin - paused + this.skipped;
    }

    /**
     * Milliseconds the time line jumped ahead because nothing but waiting was left (latency, quota pacing, backoff not
     * covered by local work). The rest of `elapsed()` is this process's CPU time outside pauses.
     */
    waitedMs(): number {
        return this.skipped;
    }

    sleep(ms: number): Promise<void> {
        return new Promise((resolve) => {
            const wake = this.elapsed() + Math.max(0, ms);
            let at = this.sleepers.length;
            while (at > 0 && this.sleepers[at - 1]!.wake > wake) at -= 1;
            this.sleepers.splice(at, 0, { wake, resolve });
            this.schedule();
        });
    }

    /** Stops time until the returned function is called (nested pauses count once). */
    pause(): () => void {
        if (this.pauseDepth++ === 0) this.pausedSince = cpuMs();
        let resumed = false;
        return () => {
            if (resumed) return;
            resumed = true;
            if (--this.pauseDepth === 0) this.paused += cpuMs() - this.pausedSince;
        };
    }

    private schedule(): void {
        if (this.scheduled) return;
        this.scheduled = true;
        setImmediate(() => this.tick());
    }

    private tick(): void {
        this.scheduled = false;
        const head = this.sleepers[0];
        if (!head) return;
        const now = this.elapsed();
        if (head.wake > now) this.skipped += head.wake - now;
        const due = this.elapsed();
        while (this.sleepers.length > 0 && this.sleepers[0]!.wake <= due) this.sleepers.shift()!.resolve();
        if (this.sleepers.length > 0) this.schedule();
    }
}

/**
 * User and system CPU time of the main thread, in milliseconds. Given in microseconds, but on Linux the per-thread
 * figure (getrusage RUSAGE_THREAD) moves in scheduler ticks, 4 ms on these machines: a short stretch reads 0 or a
 * tick. Consecutive readings add up, so a run's total is right to a tick; how it is spread over the run is not.
 */
function cpuMs(): number {
    const usage = process.threadCpuUsage();
    return (usage.user + usage.system) / 1000;
}
