/**
 * Write actions under lost answers: the provider applies the write, the caller never learns it (the connection
 * drops, the provider answers 5xx after applying, the worker dies right after the answer), and the caller retries
 * once with the same input, and the same idempotencyKey when the action's input takes one. What counts is how many
 * entities the provider ends up with: one more than before, never two.
 */
import { loadScript, VirtualClock, type ActionResult, type RunActionOptions } from '../runtime/index.js';
import { cachedLookup, INTEGRATIONS, type ActionEntry } from '../runner/catalog.js';
import type { Fault } from '../simulators/common/faults.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { GmailSimulator } from '../simulators/gmail/index.js';
import { subjectOf } from './subjects.js';
import { createWorld, CHAOS_CONNECTION, type Network, type World } from './world.js';

export interface Scenario {
    name: string;
    /** How the first attempt loses its answer, given the write's method and the answers a clean attempt gets. */
    spoil: (write: string, answers: number) => { fault?: Fault; options?: Partial<RunActionOptions> };
}

export const SCENARIOS: readonly Scenario[] = [
    { name: 'drop-response', spoil: () => ({ fault: { kind: 'drop-response' } }) },
    { name: 'applied-then-500', spoil: () => ({ fault: { kind: 'applied-then-status', status: 500 } }) },
    { name: 'applied-then-503', spoil: () => ({ fault: { kind: 'applied-then-status', status: 503 } }) },
    { name: 'cut after the write', spoil: (_write, answers) => ({ options: { stopAfterHttpAnswers: answers } }) }
];

export interface ActionOutcome {
    action: string;
    scenario: string;
    /** The action's input schema has an idempotencyKey, and the retry sent the same one. */
    keyed: boolean;
    first: string;
    retry: string;
    /** Entities the provider gained (creates) or -1 when the action creates nothing (updates). */
    created: number;
    duplicates: number;
    /** A duplicate from an action that takes a key, or a create that left nothing behind. */
    divergent: boolean;
}

/** Entities that a create action adds, counted at the provider. */
function entities(sim: Simulator): number {
    if (sim instanceof GmailSimulator) return sim.mailbox.messages.size;
    if (sim.name === 'salesforce') return sim.truth('SalesforceLead').length + sim.truth('SalesforceOpportunity').length;
    return sim.truth('GoogleCalendarEvent').length;
}

const creates = (action: ActionEntry) => /^(create|send|reply)-/.test(action.name);

/** A world with the syncs that see the action run once, so a sample input can name real records. */
async function prepared(action: ActionEntry, network: Network): Promise<World> {
    const world = createWorld(subjectOf(action.resyncs[0]!), { seed: 97, size: 12, network });
    const synced = await world.sync();
    if (synced.status !== 'success') throw new Error(`${action.resyncs[0]} failed before ${action.name}: ${synced.error?.message ?? ''}`);
    return world;
}

async function takesKey(action: ActionEntry): Promise<boolean> {
    const { definition } = await loadScript({
        integration: action.integration,
        kind: 'actions',
        name: action.name,
        clock: new VirtualClock()
    });
    const input = definition.input as { shape?: Record<string, unknown> } | undefined;
    return input?.shape !== undefined && 'idempotencyKey' in input.shape;
}

function status(result: ActionResult): string {
    return result.status === 'success'
        ? 'success'
        : `failed (${result.error.error_type}${result.error.status ? ` ${result.error.status}` : ''})`;
}

export async function runActionCampaign(network: Network, only?: string, notes: string[] = []): Promise<ActionOutcome[]> {
    const outcomes: ActionOutcome[] = [];
    const actions = INTEGRATIONS.flatMap((entry) => entry.actions).filter((a) => only === undefined || a.name === only);
    for (const action of actions) {
        let keyed = await takesKey(action);
        // A clean attempt first, on its own world: which method writes, and how many answers the action gets.
        const probe = await prepared(action, network);
        const input = (world: World, n: string) => {
            const sample = action.sample(cachedLookup(world.store, action.integration, CHAOS_CONNECTION)) as Record<string, unknown>;
            return keyed ? { ...sample, idempotencyKey: `chaos-${action.name}-${n}` } : sample;
        };
        const before = probe.sim.core.meter.snapshot();
        let answers = 0;
        let clean = await probe.action(action.name, input(probe, 'probe'), { onHttpAnswer: (count) => void (answers = count) });
        if (clean.status !== 'success' && keyed) {
            // A key may need the connection set up for it (e.g. an external id field): say so, and go on without it.
            notes.push(`${action.name}: refuses its idempotencyKey on this connection (${clean.error.message}); run without it`);
            keyed = false;
            clean = await probe.action(action.name, input(probe, 'probe'), { onHttpAnswer: (count) => void (answers = count) });
        }
        if (clean.status !== 'success') throw new Error(`${action.name} fails without faults: ${JSON.stringify(clean.error)}`);
        const write = Object.keys(probe.sim.core.meter.snapshot())
            .filter((method) => probe.sim.core.meter.get(method).calls > (before[method]?.calls ?? 0))
            .pop()!;
        probe.store.close();

        for (const scenario of SCENARIOS) {
            const world = await prepared(action, network);
            const sample = input(world, scenario.name);
            const start = entities(world.sim);
            const spoiled = scenario.spoil(write, answers);
            if (spoiled.fault) world.sim.core.faults.inject(write, spoiled.fault, 1);
            const first = await world.action(action.name, sample, spoiled.options);
            const retry = first.status === 'success' ? undefined : await world.action(action.name, sample);
            const created = creates(action) ? entities(world.sim) - start : -1;
            const duplicates = Math.max(0, created - 1);
            outcomes.push({
                action: action.name,
                scenario: scenario.name,
                keyed,
                first: status(first),
                retry: retry === undefined ? '-' : status(retry),
                created,
                duplicates,
                divergent: (keyed && duplicates > 0) || created === 0
            });
            world.store.close();
        }
    }
    return outcomes;
}

export function outcomeTable(outcomes: readonly ActionOutcome[]): string {
    const rows = [
        ['action', 'key', 'lost answer', 'first attempt', 'retry', 'created', 'duplicates', 'verdict'],
        ...outcomes.map((o) => [
            o.action,
            o.keyed ? 'yes' : 'no',
            o.scenario,
            o.first,
            o.retry,
            o.created < 0 ? '-' : String(o.created),
            o.created < 0 ? '-' : String(o.duplicates),
            o.divergent ? 'DIVERGES' : o.duplicates > 0 ? 'duplicate (no key)' : 'OK'
        ])
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows
        .map((r) =>
            r
                .map((cell, i) => cell.padEnd(widths[i]!))
                .join('  ')
                .trimEnd()
        )
        .join('\n');
}
