/**
 * The invariants every sync keeps, checked the same way on each (after singer-sdk's standard tap tests): ids are
 * unique, every record passes its model and every checkpoint its schema and Nango's limits, a second run with no
 * provider change writes nothing, and a run cut at any step resumes to the cache of an uncut run. A new sync gets
 * this suite by being listed in CHAOS_SUBJECTS (chaos/subjects.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheDifference, checkpointProblems, liveCache, verdictProblems } from '../../chaos/oracle.js';
import type { ObservedStore } from '../../chaos/observed-store.js';
import { CHAOS_SUBJECTS, type ChaosSubject } from '../../chaos/subjects.js';
import { createWorld, type World } from '../../chaos/world.js';
import { loadScript, VirtualClock, type RunSyncOptions, type ScriptDefinition, type SyncResult } from '../../runtime/index.js';
import { server } from '../support/msw.js';

const WORLD_SEED = 4242;
/** Resumed runs allowed to finish what a cut left. */
const MAX_RESUMES = 3;

function world(subject: ChaosSubject): World {
    return createWorld(subject, { seed: WORLD_SEED, size: subject.size.min, network: server });
}

function caches(w: World, store: ObservedStore = w.store): Map<string, Map<string, string>> {
    return new Map(w.subject.sync.models.map((m) => [m.model, liveCache(store, w.conn, m.model)]));
}

function written(result: SyncResult): number {
    return Object.values(result.byModel).reduce((sum, c) => sum + c.added + c.updated + c.deleted, 0);
}

describe.each(CHAOS_SUBJECTS.filter((subject) => !subject.push).map((subject) => [subject.name, subject] as const))(
    '%s invariants',
    (_name, subject) => {
        let definition: ScriptDefinition;
        let uncut: { world: World; result: SyncResult; cache: Map<string, Map<string, string>> };

        beforeAll(async () => {
            const { integration, name } = subject.sync;
            definition = (await loadScript({ integration, kind: 'syncs', name, clock: new VirtualClock() })).definition;
            const w = world(subject);
            const result = await w.sync();
            uncut = { world: w, result, cache: caches(w) };
        });

        it('a first run succeeds and caches exactly the provider’s records', () => {
            expect(uncut.result.status, uncut.result.error?.message).toBe('success');
            expect(uncut.world.verdicts().flatMap(verdictProblems)).toEqual([]);
            expect([...uncut.cache.values()].reduce((sum, c) => sum + c.size, 0)).toBeGreaterThan(0);
        });

        it('ids are unique, within each batch and across the cache', () => {
            expect(uncut.world.store.repeatedInBatch).toEqual([]);
            for (const m of subject.sync.models) {
                const ids = uncut.world.store.allRecords(uncut.world.conn, m.model).map((r) => r.id);
                expect(new Set(ids).size).toBe(ids.length);
            }
        });

        it('every record passes its model schema', () => {
            for (const m of subject.sync.models) {
                const schema = definition.models?.[m.model];
                expect(schema, `${m.model} is declared by the sync`).toBeDefined();
                const invalid = uncut.world.store
                    .liveRecords(uncut.world.conn, m.model)
                    .map((record) => ({ id: record['id'], result: schema!.safeParse(record) }))
                    .filter((r) => !r.result.success)
                    .map((r) => `${String(r.id)}: ${r.result.error?.issues[0]?.message ?? ''}`);
                expect(invalid).toEqual([]);
            }
        });

        it('every stored checkpoint passes the checkpoint schema and Nango’s limits', () => {
            expect(uncut.world.store.checkpoints.length).toBeGreaterThan(0);
            for (const { checkpoint } of uncut.world.store.checkpoints) {
                expect(checkpointProblems(checkpoint)).toEqual([]);
                if (definition.checkpoint)
                    expect(definition.checkpoint.safeParse(checkpoint).success, JSON.stringify(checkpoint)).toBe(true);
            }
        });

        it('a second run with no change at the provider saves and deletes nothing', async () => {
            const w = world(subject);
            expect((await w.sync()).status).toBe('success');
            const again = await w.sync();
            expect(again.status, again.error?.message).toBe('success');
            expect(again.byModel).toEqual(
                Object.fromEntries(subject.sync.models.map((m) => [m.model, { added: 0, updated: 0, deleted: 0 }]))
            );
            expect(written(again)).toBe(0);
        });

        const cuts: [string, (result: SyncResult) => number, (k: number) => Partial<RunSyncOptions>][] = [
            ['checkpoint', (r) => r.checkpoints, (k) => ({ stopAfterCheckpoints: k })],
            ['HTTP answer', (r) => r.httpAnswers, (k) => ({ stopAfterHttpAnswers: k })],
            ['save', (r) => r.saves, (k) => ({ stopAfterSaves: k })]
        ];
        it.each(cuts)('a run cut after any %s resumes to the cache of an uncut run', async (_kind, range, cut) => {
            const steps = range(uncut.result);
            expect(steps).toBeGreaterThan(0);
            const failures: string[] = [];
            for (let k = 1; k <= steps; k += 1) {
                const w = world(subject);
                const first = await w.sync(cut(k));
                let last = first;
                for (let i = 0; i < MAX_RESUMES && last.status !== 'success'; i += 1) last = await w.sync();
                if (last.status !== 'success') {
                    failures.push(`k=${k}: no success after ${MAX_RESUMES} resumes (${last.error?.message ?? last.status})`);
                    continue;
                }
                const mine = caches(w);
                for (const m of subject.sync.models) {
                    for (const line of cacheDifference(m.model, mine.get(m.model)!, uncut.cache.get(m.model)!))
                        failures.push(`k=${k}: ${line}`);
                }
                for (const line of w.verdicts().flatMap(verdictProblems)) failures.push(`k=${k}: ${line}`);
                w.store.close();
            }
            expect(failures).toEqual([]);
        });
    }
);
