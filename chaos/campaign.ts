import { runEpisode, type EpisodeResult } from './episode.js';
import type { ChaosSubject } from './subjects.js';
import type { Network } from './world.js';

export interface SyncSummary {
    sync: string;
    episodes: number;
    divergent: EpisodeResult[];
}

/** Episode `index` of a campaign started from `base`: spread out, so neighbouring campaigns share no episodes. */
export function episodeSeed(base: number, index: number): number {
    let h = Math.imul((base ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return h >>> 0 || 1;
}

export async function runCampaign(options: {
    subjects: readonly ChaosSubject[];
    episodes: number;
    seed: number;
    network: Network;
    integrationsDir?: string | undefined;
    onEpisode?: (result: EpisodeResult) => void;
}): Promise<SyncSummary[]> {
    const summaries: SyncSummary[] = [];
    for (const subject of options.subjects) {
        const summary: SyncSummary = { sync: subject.name, episodes: 0, divergent: [] };
        for (let i = 0; i < options.episodes; i += 1) {
            const result = await runEpisode(subject, episodeSeed(options.seed, i), options);
            summary.episodes += 1;
            if (result.divergences.length > 0) summary.divergent.push(result);
            options.onEpisode?.(result);
        }
        summaries.push(summary);
    }
    return summaries;
}
