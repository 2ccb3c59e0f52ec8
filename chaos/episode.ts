/**
 * One chaos episode: a seeded world, then a seeded sequence of provider activity (between runs and during them),
 * fault bursts, runs cut at a checkpoint, an HTTP answer or a save, runs that fail and clock jumps; then clean runs
 * until two succeed in a row; then the oracle. The whole episode follows from its seed (no Math.random, no wall
 * clock), so a divergent seed replays exactly.
 */
import type { RunSyncOptions, SyncResult } from '../runtime/index.js';
import type { Fault } from '../simulators/common/faults.js';
import type { PushNotification } from '../simulators/common/push.js';
import { Random } from '../simulators/common/random.js';
import { cacheDifference, checkpointProblems, liveCache, verdictProblems } from './oracle.js';
import type { ChaosSubject } from './subjects.js';
import { createWorld, type Network, type World } from './world.js';

export interface EpisodeResult {
    sync: string;
    seed: number;
    /** What happened, one line per step. */
    log: string[];
    /** Empty when the episode ended as a correct sync must. */
    divergences: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * Transient answers only. 404, 409, 410 and 412 state a fact about the provider's data (gone, exists, token expired,
 * changed since): the simulators answer them from their own state (deletions, clock jumps, expiry activities), and
 * injected on any call they would make the provider lie (a 404 on threads.get says the thread was deleted).
 */
const STATUSES: Extract<Fault, { kind: 'status' }>['status'][] = [401, 403, 429, 500, 502, 503, 504];
/** Clean runs allowed to reach two successes in a row. */
const MAX_CLEAN_RUNS = 6;

export interface EpisodeOptions {
    network: Network;
    integrationsDir?: string | undefined;
}

export async function runEpisode(subject: ChaosSubject, seed: number, options: EpisodeOptions): Promise<EpisodeResult> {
    const log: string[] = [];
    try {
        return { sync: subject.name, seed, log, divergences: await play(subject, seed, options, log) };
    } catch (err) {
        // A simulator or the runtime threw: the episode proves nothing, and that is worth a look too.
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log.push(`crashed: ${message}`);
        return { sync: subject.name, seed, log, divergences: [`the episode crashed: ${message.split('\n')[0]}`] };
    }
}

async function play(subject: ChaosSubject, seed: number, options: EpisodeOptions, log: string[]): Promise<string[]> {
    const random = new Random(seed);
    const size = random.int(subject.size.min, subject.size.max);
    const world = createWorld(subject, { seed: random.int(1, 0x7fffffff), size, ...options });
    log.push(`world: ${subject.simulator} seed ${seed}, size ${size}`);
    const divergences: string[] = [];
    const methods = new Set<string>();
    const run = async (label: string, extra: Partial<RunSyncOptions> = {}): Promise<SyncResult> => {
        const result = await world.sync(extra);
        for (const method of Object.keys(world.sim.core.meter.snapshot())) methods.add(method);
        log.push(`${label}: ${describe(result)}`);
        if (process.env['CHAOS_TRACE']) for (const entry of result.logs) log.push(`    | ${JSON.stringify(entry).slice(0, 300)}`);
        return result;
    };

    if (subject.push) {
        const connected = await world.connect(subject.push.metadata);
        log.push(`connect: ${connected.log.split('\n').join(' | ')}`);
        if (!connected.outcome.ok) return [`the connection was refused: ${connected.outcome.reason}`];
    }

    const steps = random.int(3, 10);
    for (let i = 0; i < steps; i += 1) {
        const roll = random.next();
        if (roll < 0.18) {
            const activity = random.pick(world.sim.activities()).name;
            log.push(`activity ${activity}: ${world.sim.applyActivity(activity)}`);
            await deliverStep(world, random, log);
        } else if (roll < 0.26) {
            // Many changes at once: more than one page of changes (Gmail history pages hold 500 records).
            const activity = random.pick(world.sim.activities().filter((a) => !/expir|^new/i.test(a.name))).name;
            const times = random.int(20, 150);
            for (let n = 0; n < times; n += 1) world.sim.applyActivity(activity);
            log.push(`activity ${activity} x${times}`);
            await deliverStep(world, random, log);
        } else if (roll < 0.38) {
            const burst = faultBurst(random, methods);
            world.sim.core.faults.inject(burst.method, burst.fault, burst.times);
            log.push(`faults: ${burst.label}`);
        } else if (roll < 0.48) {
            await run('run');
        } else if (roll < 0.58) {
            const k = random.int(1, 4);
            await run(`run cut after checkpoint ${k}`, { stopAfterCheckpoints: k });
        } else if (roll < 0.68) {
            const k = random.int(1, 30);
            await run(`run cut after HTTP answer ${k}`, { stopAfterHttpAnswers: k });
        } else if (roll < 0.75) {
            const k = random.int(1, 4);
            await run(`run cut after save ${k}`, { stopAfterSaves: k });
        } else if (roll < 0.9) {
            // The provider changes, or starts failing, while the run reads it.
            const at = random.int(1, 12);
            const during =
                world.pushQueued() > 0 && random.chance(0.3) ? pushDuringRun(world, log) : duringRun(world, random, methods, log);
            const cut = random.chance(0.3) ? { stopAfterHttpAnswers: at + random.int(0, 10) } : {};
            const cutText = cut.stopAfterHttpAnswers === undefined ? '' : `, cut after answer ${cut.stopAfterHttpAnswers}`;
            await run(`run with ${during.label} after HTTP answer ${at}${cutText}`, {
                ...cut,
                onHttpAnswer: async (count) => {
                    if (count === at) await during.apply();
                }
            });
        } else {
            const ms = random.chance(0.5) ? random.int(1, 23) * HOUR : random.int(1, 16) * DAY + random.int(0, 23) * HOUR;
            world.clock.advance(ms);
            log.push(`clock +${formatDuration(ms)}`);
        }
    }

    world.sim.core.faults.clear();
    log.push('faults cleared');
    // Whatever is still queued arrives late, before the polls that must reconcile it.
    for (const line of await world.deliver()) log.push(`late ${line}`);
    let inARow = 0;
    let lastError = '';
    for (let i = 0; i < MAX_CLEAN_RUNS && inARow < 2; i += 1) {
        const result = await run('clean run');
        inARow = result.status === 'success' ? inARow + 1 : 0;
        if (result.error) lastError = result.error.message;
    }
    if (inARow < 2) divergences.push(`no two successful clean runs in a row within ${MAX_CLEAN_RUNS} (last error: ${clip(lastError)})`);

    divergences.push(...judge(world));
    const fresh = world.emptyStore();
    const freshRun = await world.sync({}, fresh);
    log.push(`fresh sync into an empty cache: ${describe(freshRun)}`);
    if (freshRun.status !== 'success') divergences.push(`a fresh uncut sync failed: ${freshRun.error?.message ?? freshRun.status}`);
    else {
        for (const m of subject.sync.models) {
            divergences.push(
                ...cacheDifference(m.model, liveCache(world.store, world.conn, m.model), liveCache(fresh, world.conn, m.model))
            );
        }
    }
    world.store.close();
    fresh.close();
    return divergences;
}

/** The checks on the episode's own cache: truth, repeated ids, every checkpoint it ever stored. */
function judge(world: World): string[] {
    const out = world.verdicts().flatMap(verdictProblems);
    if (world.store.repeatedInBatch.length > 0) {
        out.push(`ids repeated within one batchSave: ${world.store.repeatedInBatch.slice(0, 3).join(', ')}`);
    }
    for (const [index, stored] of world.store.checkpoints.entries()) {
        const problems = checkpointProblems(stored.checkpoint);
        if (problems.length > 0) out.push(`checkpoint #${index + 1} breaks Nango's limits: ${problems.join('; ')}`);
    }
    return out;
}

interface FaultBurst {
    method: string;
    fault: Fault;
    times: number;
    label: string;
}

/** The next 1 to 4 calls of one method the sync was seen to call (or of any method) fail in one way. */
function faultBurst(random: Random, methods: ReadonlySet<string>): FaultBurst {
    const method = methods.size === 0 || random.chance(0.2) ? '*' : random.pick([...methods].sort());
    const fault = randomFault(random);
    const times = random.int(1, 4);
    return { method, fault, times, label: `next ${times} ${method} -> ${describeFault(fault)}` };
}

/**
 * After provider activity, what it pushed: delivered at once (in order, reversed, or twice, as Pub/Sub and Calendar
 * channels may), or left queued for a later step. No outbox, or an empty one, draws nothing from the episode's random
 * sequence, so a poll-only episode is the same step for step as before push existed.
 */
async function deliverStep(world: World, random: Random, log: string[]): Promise<void> {
    if (world.pushQueued() === 0) return;
    const roll = random.next();
    if (roll < 0.2) {
        log.push(`push held: ${world.pushQueued()} queued`);
        return;
    }
    const [how, arrange] =
        roll < 0.6
            ? ['in order', (q: PushNotification[]) => q]
            : roll < 0.8
              ? ['reversed', (q: PushNotification[]) => [...q].reverse()]
              : ['twice', (q: PushNotification[]) => [...q, ...q]];
    for (const line of await world.deliver(arrange)) log.push(`deliver ${how}: ${line}`);
}

/** A push delivered while a poll run is in flight (the webhook function runs to its end inside the run's pause). */
function pushDuringRun(world: World, log: string[]): { label: string; apply: () => Promise<void> } {
    return {
        label: 'push delivery',
        apply: async () => {
            for (const line of await world.deliver()) log.push(`  during the run, ${line}`);
        }
    };
}

/** What happens mid-run: an activity at the provider, or a fault burst that starts after the run began. */
function duringRun(
    world: World,
    random: Random,
    methods: ReadonlySet<string>,
    log: string[]
): { label: string; apply: () => void | Promise<void> } {
    if (random.chance(0.6)) {
        const activity = random.pick(world.sim.activities()).name;
        return {
            label: activity,
            apply: () => {
                log.push(`  during the run, activity ${activity}: ${world.sim.applyActivity(activity)}`);
            }
        };
    }
    const burst = faultBurst(random, methods);
    return {
        label: `faults (${burst.label})`,
        apply: () => {
            world.sim.core.faults.inject(burst.method, burst.fault, burst.times);
            log.push('  during the run, the faults begin');
        }
    };
}

function randomFault(random: Random): Fault {
    const roll = random.next();
    if (roll < 0.15) return { kind: 'network' };
    if (roll < 0.3) return { kind: 'drop-response' };
    if (roll < 0.4) return { kind: 'applied-then-status', status: random.pick([500, 502, 503, 504] as const) };
    const status = random.pick(STATUSES);
    return status === 429 || status === 503 ? { kind: 'status', status, retryAfterSeconds: random.int(1, 30) } : { kind: 'status', status };
}

function describeFault(fault: Fault): string {
    if (fault.kind === 'applied-then-status') return `applied, then ${fault.status}`;
    if (fault.kind !== 'status') return fault.kind;
    return `${fault.status}${fault.retryAfterSeconds === undefined ? '' : ` (Retry-After ${fault.retryAfterSeconds}s)`}`;
}

function describe(result: SyncResult): string {
    const counts = Object.entries(result.byModel)
        .map(([, c]) => `+${c.added} ~${c.updated} -${c.deleted}`)
        .join(' ');
    const error = result.error
        ? ` (${result.error.type}${result.error.status ? ` ${result.error.status}` : ''}: ${clip(result.error.message)})`
        : '';
    return `${result.status} ${counts}, ${result.calls} calls, ${result.checkpoints} checkpoints${error}`;
}

function formatDuration(ms: number): string {
    const days = Math.floor(ms / DAY);
    const hours = Math.round((ms % DAY) / HOUR);
    return days > 0 ? `${days}d${hours}h` : `${hours}h`;
}

function clip(text: string): string {
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
