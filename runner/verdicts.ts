/** The cache of a connection against the simulators' ground truth, as the rehearsal and `verify` print it. */
import type { RecordsStore } from '../runtime/records-store.js';
import type { Simulator } from '../simulators/common/simulator.js';
import { verdictOfCache, type Verdict } from '../simulators/common/truth.js';
import type { IntegrationId } from './catalog.js';
import { formatInt, textTable } from './format.js';
import { truthFor } from './setup.js';

/** One model of a connection's cache against the simulator's truth (for Calendar: the calendars its metadata names). */
export function modelVerdict(
    store: RecordsStore,
    integration: IntegrationId,
    connectionId: string,
    model: string,
    sim: Simulator
): Verdict {
    const cached = store.allRecords({ integration, connectionId }, model);
    return verdictOfCache(model, truthFor(store, integration, connectionId, model, sim), cached, (m, r) => sim.versionOf(m, r));
}

/** The verdict table of the rehearsal and `verify`: one row per model. */
export function verdictTable(verdicts: readonly Verdict[]): string {
    return textTable(
        [
            { title: 'model' },
            { title: 'expected', align: 'right' },
            { title: 'stored', align: 'right' },
            { title: 'missing', align: 'right' },
            { title: 'stale', align: 'right' },
            { title: 'wrongly deleted', align: 'right' },
            { title: 'not deleted', align: 'right' },
            { title: 'verdict' }
        ],
        verdicts.map((v) => [
            v.model,
            formatInt(v.expected),
            formatInt(v.stored),
            formatInt(v.missing.length),
            formatInt(v.stale.length),
            formatInt(v.wronglyDeleted.length),
            formatInt(v.notDeleted.length),
            v.ok ? 'OK' : 'DIFFERS'
        ])
    );
}

/** The first ids of each kind of difference, for a model that differs. */
export function verdictDetail(v: Verdict): string {
    const ids = (label: string, list: string[]) =>
        list.length === 0 ? [] : [`${label}: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', ...' : ''}`];
    return `  ${v.model}: ${[...ids('missing', v.missing), ...ids('stale', v.stale), ...ids('wrongly deleted', v.wronglyDeleted), ...ids('not deleted', v.notDeleted)].join('; ')}`;
}
