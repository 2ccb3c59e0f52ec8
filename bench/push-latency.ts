/**
 * Time from a provider change to the cache, push against poll, on the virtual clock with the bench's latency a call.
 *
 * - Poll: the change waits for the sync's next scheduled run (its `frequency`: half of it on average, all of it at
 *   worst) and then for that run.
 * - Push: the provider's notification is delivered at once and `onWebhook` runs. The providers' own delay before
 *   they push (Pub/Sub, Calendar's channels; typically seconds, with no documented bound) is not modelled, nor is
 *   Nango's queueing of the webhook function.
 *
 * Each trial makes one change, delivers its notifications and checks the cache against the provider before any
 * poll; then makes another change and times a poll run.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createWorld, type Network } from '../chaos/world.js';
import type { ChaosSubject } from '../chaos/subjects.js';
import { INTEGRATIONS_DIR } from '../runtime/sandbox.js';

export interface PushLatency {
    sync: string;
    activity: string;
    trials: number;
    /** Mean event-clock ms from the change to the cache, delivering at once. */
    pushMs: number;
    /** Mean duration of the poll run that picks the change up. */
    pollRunMs: number;
    /** The sync's schedule, ms. */
    frequencyMs: number;
    /** Whether the cache matched the provider after every delivery, before any poll. */
    cachedByPush: boolean;
}

const ACTIVITY: Record<string, string> = { 'gmail-threads': 'new-mail', events: 'edit-events' };

export async function measurePushLatency(options: {
    subject: ChaosSubject;
    network: Network;
    size: number;
    trials: number;
    latencyMs: number;
}): Promise<PushLatency> {
    const { subject } = options;
    const activity = ACTIVITY[subject.sync.name];
    if (!activity || !subject.push) throw new Error(`${subject.name}: not a push subject the bench knows`);
    const world = createWorld(subject, { seed: 20260115, size: options.size, network: options.network, latencyMs: options.latencyMs });
    const connected = await world.connect(subject.push.metadata);
    if (!connected.outcome.ok) throw new Error(`${subject.name}: connect failed: ${connected.log}`);
    await world.sync();
    await world.deliver();
    let push = 0;
    let poll = 0;
    let cachedByPush = true;
    for (let trial = 0; trial < options.trials; trial += 1) {
        world.sim.applyActivity(activity);
        const changed = world.clock.now();
        await world.deliver();
        push += world.clock.now() - changed;
        cachedByPush &&= world.verdicts().every((verdict) => verdict.ok);

        world.sim.applyActivity(activity);
        const started = world.clock.now();
        const run = await world.sync();
        if (run.status !== 'success') throw new Error(`${subject.name}: poll run ${run.status}: ${run.error?.message ?? ''}`);
        poll += world.clock.now() - started;
        await world.deliver();
    }
    return {
        sync: subject.sync.name,
        activity,
        trials: options.trials,
        pushMs: push / options.trials,
        pollRunMs: poll / options.trials,
        frequencyMs: await frequencyOf(subject),
        cachedByPush
    };
}

/** The `frequency` the sync declares (`every 5 minutes`), in ms. */
async function frequencyOf(subject: ChaosSubject): Promise<number> {
    const file = join(INTEGRATIONS_DIR, subject.sync.integration, 'syncs', `${subject.sync.name}.ts`);
    const script = (await import(pathToFileURL(file).href)) as { default: { frequency?: string } };
    const match = /^every (\d+) (minute|hour)s?$/.exec(script.default.frequency ?? '');
    if (!match) throw new Error(`${subject.name}: unreadable frequency "${script.default.frequency ?? ''}"`);
    return Number(match[1]) * (match[2] === 'hour' ? 3_600_000 : 60_000);
}

export function pushLatencyTable(results: readonly PushLatency[]): string {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;
    const rows = results.map((r) =>
        [
            r.sync,
            r.activity,
            String(r.trials),
            seconds(r.pushMs),
            seconds(r.frequencyMs / 2 + r.pollRunMs),
            seconds(r.frequencyMs + r.pollRunMs),
            r.cachedByPush ? 'yes' : 'NO'
        ].join(' | ')
    );
    return [
        '| sync | change | trials | push: change → cache | poll: mean | poll: worst | cache right before any poll |',
        '|---|---|---|---|---|---|---|',
        ...rows.map((row) => `| ${row} |`)
    ].join('\n');
}
