import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../runtime/index.js';
import { runCampaign } from '../../chaos/campaign.js';
import { runEpisode } from '../../chaos/episode.js';
import { CHAOS_SUBJECTS, subjectOf } from '../../chaos/subjects.js';
import { server } from '../support/msw.js';

/** Fixed campaign seed and size: small enough for `npm test`, the same episodes on every machine. */
const CAMPAIGN_SEED = 20261201;
const EPISODES = 5;

describe('chaos campaign (fixed seeds)', () => {
    for (const subject of CHAOS_SUBJECTS) {
        it(`${subject.name}: ${EPISODES} episodes end as a correct sync must`, async () => {
            const [summary] = await runCampaign({ subjects: [subject], episodes: EPISODES, seed: CAMPAIGN_SEED, network: server });
            const report = summary!.divergent.map(
                (r) => `seed ${r.seed}:\n  ${r.divergences.join('\n  ')}\n  log:\n    ${r.log.join('\n    ')}`
            );
            expect(report.join('\n')).toBe('');
            expect(summary!.episodes).toBe(EPISODES);
        });
    }
});

/** Episodes that once diverged, each kept as a test of the fix it led to. */
const FOUND: readonly { sync: string; seed: number; bug: string }[] = [
    { sync: 'salesforce-leads', seed: 273700839, bug: "savedAtSince over Nango's 4,000-character checkpoint string" },
    { sync: 'salesforce-opportunities', seed: 3451869871, bug: "savedAtSince over Nango's 4,000-character checkpoint string" },
    { sync: 'gmail-contacts', seed: 1631758179, bug: 'a first listing cut before its first page checkpoint kept contacts deleted since' },
    { sync: 'salesforce-leads', seed: 4140377463, bug: 'a first run cut before its first page checkpoint kept leads deleted since' },
    { sync: 'events', seed: 1575376088, bug: 'a first listing cut before its first page checkpoint kept events cancelled since' },
    { sync: 'events', seed: 2612018298, bug: 'a first listing cut before its first page checkpoint kept events cancelled since' }
];

describe('chaos episodes that once diverged', () => {
    for (const found of FOUND) {
        it(`${found.sync} seed ${found.seed} (${found.bug})`, async () => {
            const episode = await runEpisode(subjectOf(found.sync), found.seed, { network: server });
            expect(episode.divergences.join('\n')).toBe('');
        });
    }
});

describe('the oracle can fail', () => {
    const BROKEN_DIR = join(REPO_ROOT, 'tests', 'chaos', 'fixtures', 'integrations');

    it('finds an events sync that forgets to save its second page of every run', async () => {
        const [summary] = await runCampaign({
            subjects: [subjectOf('events')],
            episodes: 3,
            seed: CAMPAIGN_SEED,
            network: server,
            integrationsDir: BROKEN_DIR
        });
        expect(summary!.divergent.length).toBe(3);
        expect(summary!.divergent[0]!.divergences.join('\n')).toMatch(/GoogleCalendarEvent against the provider: \d+ missing/);
    });

    it('replays an episode from its seed alone: the same steps, the same verdict', async () => {
        const subject = subjectOf('salesforce-leads');
        const first = await runEpisode(subject, 12345, { network: server });
        const again = await runEpisode(subject, 12345, { network: server });
        expect(again.log).toEqual(first.log);
        expect(again.divergences).toEqual(first.divergences);
        expect(first.log.length).toBeGreaterThan(3);
    });
});
