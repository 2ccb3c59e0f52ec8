import type { HttpHandler } from 'msw';
import type { ApiCore } from './core.js';
import type { TruthRecord } from './truth.js';

/** What the tests, the runner and the bench need from every provider simulator. */
export interface Simulator {
    /** `gmail`, `people`, `calendar`, `salesforce`. */
    readonly name: string;
    /** Faults, quota meter, latency, accepted token. */
    readonly core: ApiCore;
    /** msw handlers over this simulator's state. */
    readonly handlers: HttpHandler[];
    /** Named kinds of activity at the provider, for `simulate <provider> <activity>` and scenario tests. */
    activities(): { name: string; description: string }[];
    /** Applies one activity; returns a one-line human summary of what changed. */
    applyActivity(name: string): string;
    /** What a correct sync of `model` must have cached now. */
    truth(model: string): TruthRecord[];
    /** The version of a cached record of `model`, comparable with `TruthRecord.version`. */
    versionOf(model: string, record: Record<string, unknown>): string;
    /** The whole state as JSON-serializable data; each simulator has a static `restore(snapshot, options)`. */
    snapshot(): unknown;
}
