/**
 * `npm run bench:push [-- --trials N --size N --latency MS]`: time from a provider change to the cache, push against
 * poll, for the syncs that take push (bench/push-latency.ts says what is and is not modelled).
 */
import { Command } from 'commander';
import { setupServer } from 'msw/node';
import { subjectOf } from '../chaos/subjects.js';
import { measurePushLatency, pushLatencyTable } from './push-latency.js';

const program = new Command('npm run bench:push --')
    .option('--trials <n>', 'changes timed per sync', '5')
    .option('--size <n>', 'records in the seeded world', '200')
    .option('--latency <ms>', 'per-call latency of the simulated API', '100')
    .parse();
const options = program.opts<{ trials: string; size: string; latency: string }>();

const server = setupServer();
server.listen({ onUnhandledFrame: 'error' });
try {
    const results = [];
    for (const name of ['gmail-threads+push', 'events+push']) {
        results.push(
            await measurePushLatency({
                subject: subjectOf(name),
                network: server,
                size: Number(options.size),
                trials: Number(options.trials),
                latencyMs: Number(options.latency)
            })
        );
    }
    console.log(`Push against poll, ${options.latency} ms a call, virtual clock:\n\n${pushLatencyTable(results)}`);
    if (results.some((r) => !r.cachedByPush)) process.exitCode = 1;
} finally {
    server.close();
}
