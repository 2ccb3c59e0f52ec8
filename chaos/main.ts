/**
 * `npm run chaos -- [--episodes N] [--seed S] [--only <sync|action>] [--actions]`: seeded chaos episodes per sync,
 * judged by the oracle, then every write action under lost answers; exits 1 on any divergence. `--only <sync>
 * --seed E` (no --episodes) replays episode seed E alone and prints its step log and what differs; with
 * `CHAOS_TRACE=1` the log also shows what each run logged.
 */
import { Command } from 'commander';
import { setupServer } from 'msw/node';
import { outcomeTable, runActionCampaign } from './actions.js';
import { runCampaign } from './campaign.js';
import { runEpisode, type EpisodeResult } from './episode.js';
import { CHAOS_SUBJECTS, subjectOf } from './subjects.js';

const out = (text = '') => process.stdout.write(`${text}\n`);

const program = new Command('npm run chaos --')
    .description('Seeded chaos episodes per sync: activity, faults, cut runs, clock jumps, then an oracle against the provider truth.')
    .option('--episodes <n>', 'episodes per sync (default 100)')
    .option('--seed <s>', 'campaign seed; with --only and no --episodes, the one episode seed to replay', '1')
    .option('--only <sync|action>', `one sync (${CHAOS_SUBJECTS.map((s) => s.name).join(', ')}) or one write action`)
    .option('--actions', 'only the action part: each write action under lost answers, retried once')
    .action(async (options: Options) => {
        process.exitCode = await main(options);
    });

interface Options {
    episodes?: string;
    seed: string;
    only?: string;
    actions?: boolean;
}

const isSync = (name: string) => CHAOS_SUBJECTS.some((s) => s.name === name);

async function main(options: Options): Promise<number> {
    const seed = integer(options.seed, '--seed');
    const server = setupServer();
    server.listen({ onUnhandledFrame: 'error' });
    try {
        if (options.actions || (options.only !== undefined && !isSync(options.only))) return await actionPart(server, options.only);
        if (options.only !== undefined && options.episodes === undefined) {
            const result = await runEpisode(subjectOf(options.only), seed, { network: server });
            out(result.log.map((line) => `  ${line}`).join('\n'));
            printDivergences(result);
            out(result.divergences.length === 0 ? 'OK: no divergence' : `DIVERGES: ${result.divergences.length} problem(s)`);
            return result.divergences.length === 0 ? 0 : 1;
        }
        const episodes = options.episodes === undefined ? 100 : integer(options.episodes, '--episodes');
        const subjects = options.only === undefined ? CHAOS_SUBJECTS : [subjectOf(options.only)];
        const started = performance.now();
        const summaries = await runCampaign({
            subjects,
            episodes,
            seed,
            network: server,
            onEpisode: (result) => {
                if (result.divergences.length > 0) out(`  ${result.sync} seed ${result.seed}: ${result.divergences[0]}`);
            }
        });
        out('');
        out(`${'sync'.padEnd(26)} ${'episodes'.padStart(8)} ${'divergent'.padStart(9)}  seeds`);
        for (const s of summaries) {
            out(
                `${s.sync.padEnd(26)} ${String(s.episodes).padStart(8)} ${String(s.divergent.length).padStart(9)}  ${s.divergent.map((r) => r.seed).join(' ')}`
            );
        }
        const divergent = summaries.flatMap((s) => s.divergent);
        out(
            `\n${divergent.length === 0 ? 'PASS' : 'FAIL'} in ${Math.round(performance.now() - started) / 1000} s (campaign seed ${seed}).`
        );
        if (divergent[0]) out(`Replay one: npm run chaos -- --only ${divergent[0].sync} --seed ${divergent[0].seed}`);
        const actions = options.only === undefined ? await actionPart(server) : 0;
        return divergent.length === 0 && actions === 0 ? 0 : 1;
    } finally {
        server.close();
    }
}

async function actionPart(server: ReturnType<typeof setupServer>, only?: string): Promise<number> {
    out('\nWrite actions: a lost answer, then one retry with the same input (and idempotencyKey where the input takes one)');
    const notes: string[] = [];
    const outcomes = await runActionCampaign(server, only, notes);
    if (outcomes.length === 0) throw new Error(`unknown sync or action "${only ?? ''}"`);
    out(outcomeTable(outcomes));
    for (const note of notes) out(`  note: ${note}`);
    const divergent = outcomes.filter((o) => o.divergent);
    out(
        divergent.length === 0 ? 'PASS: no duplicate from an action that takes a key' : `FAIL: ${divergent.length} divergent action run(s)`
    );
    return divergent.length === 0 ? 0 : 1;
}

function printDivergences(result: EpisodeResult): void {
    for (const line of result.divergences) out(`  ! ${line}`);
}

function integer(value: string, flag: string): number {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
    return n;
}

try {
    await program.parseAsync(process.argv);
} catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
}
