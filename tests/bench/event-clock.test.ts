import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EventClock } from '../../bench/event-clock.js';
import { MemorySampler } from '../../bench/memory.js';

/** CPU time spent by another thread of this process while the main thread only waits for its message, in ms. */
async function busyThread(cpuMs: number): Promise<number> {
    const code = `
        const { parentPort } = require('node:worker_threads');
        const used = () => { const u = process.threadCpuUsage(); return (u.user + u.system) / 1000; };
        const start = used();
        while (used() - start < ${cpuMs}) {}
        parentPort.postMessage(used() - start);
    `;
    const worker = new Worker(code, { eval: true });
    try {
        return await new Promise<number>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
        });
    } finally {
        await worker.terminate();
    }
}

describe('bench event clock', () => {
    it('does not charge the run with CPU time of other threads (V8 helpers work beside the script)', async () => {
        const clock = new EventClock();
        const before = clock.elapsed();
        const burned = await busyThread(300);
        expect(burned).toBeGreaterThanOrEqual(300);
        // The main thread only started a worker and read one message: a fraction of what the worker burned.
        expect(clock.elapsed() - before).toBeLessThan(burned / 2);
    });

    it('keeps the memory sampler’s reads off the run’s clock', () => {
        let paused = 0;
        let resumed = 0;
        const sampler = new MemorySampler({
            everyMs: 2,
            liveEveryMs: 1_000_000,
            pause: () => {
                paused += 1;
                return () => {
                    resumed += 1;
                };
            }
        });
        sampler.start();
        sampler.sample();
        sampler.stop();
        // stop() reads once more; every read is inside a pause.
        expect(paused).toBeGreaterThanOrEqual(2);
        expect(resumed).toBe(paused);
    });
});
