import { formatBytes, formatInt, formatMs, formatRatio, markdownTable } from '../runner/format.js';
import type { MergedRun } from './merge.js';
import type { BenchSettings, CaseResult, Measure, TimeSplit } from './run.js';

export interface Report {
    generatedAt: string;
    machine: { node: string; cpus: number; cpuModel: string; memoryBytes: number };
    settings: BenchSettings;
    benchWallMs: number;
    results: CaseResult[];
    /** Set when the report was merged from several runs (merge.ts): which run measured which case. */
    merged?: MergedRun[];
}

const rate = (value: number) => (Number.isFinite(value) ? (value >= 100 ? formatInt(value) : value.toFixed(1)) : '∞');
const percent = (value: number) => (Number.isFinite(value) ? `${Math.round(value * 100)}%` : '-');

export function renderReport(report: Report): string {
    const { settings } = report;
    const main = markdownTable(
        [
            { title: 'sync' },
            { title: 'records', align: 'right' },
            { title: 'script' },
            { title: 'API calls', align: 'right' },
            { title: 'quota units', align: 'right' },
            { title: 'min units', align: 'right' },
            { title: 'units ÷ min', align: 'right' },
            { title: 'time (API)', align: 'right' },
            { title: 'rec/s', align: 'right' },
            { title: 'limit rec/s', align: 'right' },
            { title: 'of limit', align: 'right' },
            { title: 'peak live heap Δ', align: 'right' },
            { title: 'peak RSS Δ', align: 'right' },
            { title: 'real time', align: 'right' },
            { title: 'cache', align: 'left' }
        ],
        report.results.flatMap((result) => [
            row(result, 'ours', result.ours),
            ...(result.naive
                ? [row(result, 'naive', result.naive)]
                : [[result.sync, formatInt(result.records), 'naive', ...Array<string>(11).fill('-'), 'not run (above --naive-max)']])
        ])
    );
    const versus = markdownTable(
        [
            { title: 'sync' },
            { title: 'records', align: 'right' },
            { title: 'quota units: naive ÷ ours', align: 'right' },
            { title: 'faster than naive', align: 'right' },
            { title: 'live heap: ours ÷ naive', align: 'right' },
            { title: 'ours: share of the limit', align: 'right' },
            { title: 'what binds the limit' },
            { title: 'sustained quota rec/s', align: 'right' }
        ],
        report.results.map((r) => [
            r.sync,
            formatInt(r.records),
            ...(r.naive && r.naive.status !== 'success'
                ? [`naive ${r.naive.status} after ${formatInt(r.naive.calls)} calls`, '-', '-']
                : [
                      formatRatio(r.ratios.unitsToNaive === null || r.ratios.unitsToNaive === 0 ? null : 1 / r.ratios.unitsToNaive),
                      formatRatio(r.ratios.speedupOverNaive),
                      formatRatio(r.ratios.heapToNaive)
                  ]),
            percent(r.ratios.throughputToLimit),
            r.floor.boundBy,
            r.floor.sustainedThroughput === null ? '-' : rate(r.floor.sustainedThroughput)
        ])
    );
    const split = markdownTable(
        [
            { title: 'sync' },
            { title: 'records', align: 'right' },
            { title: 'script' },
            { title: 'time (API)', align: 'right' },
            { title: 'waiting on the API', align: 'right' },
            { title: 'local CPU', align: 'right' },
            { title: 'records store (left out)', align: 'right' },
            { title: 'validation (left out)', align: 'right' },
            { title: 'of limit', align: 'right' },
            { title: 'of limit, runtime counted', align: 'right' }
        ],
        report.results.flatMap((result) =>
            (
                [
                    ['ours', result.ours],
                    ['naive', result.naive]
                ] as const
            ).flatMap(([variant, m]) => (m?.time ? [timeRow(result, variant, m, m.time)] : []))
        )
    );
    return [
        '# Bench results',
        '',
        report.merged && report.merged.length > 1
            ? `Merged from ${report.merged.length} runs of \`npm run bench\` (\`--render ... --merge ...\`), each case from the last run that ` +
              `measured it, on Node ${report.machine.node}, ${report.machine.cpus} × ${report.machine.cpuModel}, ` +
              `${formatBytes(report.machine.memoryBytes)} RAM: ` +
              report.merged.map((run) => `${run.generatedAt}: ${run.cases.join(', ')}`).join('; ') +
              '.'
            : `Generated ${report.generatedAt} by \`npm run bench\` on Node ${report.machine.node}, ${report.machine.cpus} × ${report.machine.cpuModel}, ` +
              `${formatBytes(report.machine.memoryBytes)} RAM; the whole bench took ${formatMs(report.benchWallMs)}.`,
        '',
        `Settings: sizes ${settings.sizes.map(formatInt).join(', ')}; ${settings.latencyMs} ms per API call; provider per-user limits on ` +
            '(Gmail 15,000 units/min, People 90 reads/min, Calendar 600 requests/min, Salesforce 100,000 requests/24 h); ' +
            (settings.scale === null ? 'event clock (below).' : `time scaled ×${settings.scale}.`),
        '',
        main,
        '',
        versus,
        '',
        '## Where the time goes',
        '',
        split,
        '',
        ...experiments(report),
        ...events(report),
        '## How to read this',
        '',
        timeNote(settings),
        '- **of limit** is rec/s ÷ limit rec/s, with rec/s from **time (API)**. On the event clock that time leaves out ' +
            'what the local runtime does in Nango’s records service’s place (**records store**: SQLite writes and reads, ' +
            'checkpoints, metadata, persist’s request checks; **validation**: the models checked as `nango dryrun --validate` ' +
            'does, which Nango’s runner does not): on Nango `batchSave` is a request to that service, not this process’s CPU. ' +
            'The service’s own latency is not modelled (one round trip per 1,000 records saved). **of limit, runtime counted** ' +
            'adds the two back as if they ran in series, the worst case: the reading of results written before the split. ' +
            '**waiting on the API** is the time the clock jumped ahead with nothing but waits left (latency, pacing, backoff); ' +
            '**local CPU** is the rest of time (API): the script, the runtime’s proxy and sandbox. With `--scale` the ' +
            'runtime’s time cannot be paused and stays in time (API).',
        '- **min units** is the fewest quota units the provider’s cost table allows for that data: Gmail getProfile (1) + ' +
            'ceil(M/500) messages.list (5) for the M messages, to learn thread sizes, + 5 per thread of one message ' +
            '(messages.get) + 10 per other thread (threads.get); People ceil(N/1000) connections.list; Salesforce ceil(N/2000) query ' +
            'pages; Calendar ceil(n/2500) events.list pages per calendar.',
        '- **limit rec/s** is the best throughput the provider allows for that data set, from an unused quota window: the ' +
            'per-user limit lets one window’s worth of units go at once and one more window’s worth per window after that ' +
            '(Gmail 15,000 units per minute, at 5 or 10 units a thread; People 90 requests per minute; Calendar 600 requests per ' +
            'minute; Salesforce 100,000 requests per 24 h), and the calls that must follow one another (pages) each wait the ' +
            'latency. Whichever is slower binds. **sustained quota rec/s** is the steady rate of the limit on long runs ' +
            '(Gmail: 15,000 units/min ÷ the units a thread costs on average, 25 threads/s if all cost 10). gmail-threads and ' +
            'gmail-contacts follow the window itself at 97% of it, so they spend a window’s worth at the start as the bound ' +
            'does; the events sync paces Calendar with a token bucket, which the latency bound leaves unused.',
        '- **peak live heap Δ** is the largest heap still in use after a full collection (forced about once a second, off the ' +
            'run’s clock), above the baseline taken after a full collection just before the run; **peak RSS Δ** is the peak ' +
            'resident memory above its baseline. The simulator’s own data lives in the same process, so absolute figures would ' +
            'mostly measure the simulator; the growth is what the sync holds (pages in flight, records not yet saved; for the ' +
            'naive baseline, everything). RSS includes memory V8 keeps after collecting, so it moves in steps. results.json ' +
            'also has the raw peak of heap used (garbage included).',
        '- **cache** says whether the records cached at the end equal the simulator’s ground truth (ids and versions).',
        '- The naive baseline (bench/baselines/) is written the way the simplest guide would: list every id, fetch each item one ' +
            'at a time, keep everything in memory, one save at the end. It uses the repository’s own mappers, so the comparison is ' +
            'about fetching, pacing and memory. People has no ids-only listing, so its baseline pages at the default 100.',
        ''
    ].join('\n');
}

/** `--experiment`: each experiment beside ours on the same data, each against the floor of its own way of reading. */
function experiments(report: Report): string[] {
    const tried = report.results.filter((r) => r.trial);
    if (tried.length === 0) return [];
    const share = report.settings.singleMessageShare;
    const table = markdownTable(
        [
            { title: 'sync' },
            { title: 'records', align: 'right' },
            { title: 'script' },
            { title: 'API calls', align: 'right' },
            { title: 'quota units', align: 'right' },
            { title: 'its min units', align: 'right' },
            { title: 'time (API)', align: 'right' },
            { title: 'rec/s', align: 'right' },
            { title: 'its limit rec/s', align: 'right' },
            { title: 'of its limit', align: 'right' },
            { title: 'its sustained rec/s', align: 'right' },
            { title: 'peak live heap Δ', align: 'right' },
            { title: 'cache' }
        ],
        tried.flatMap((r) =>
            (
                [
                    ['ours', r.ours, r.floor],
                    ['experiment', r.trial!.measure, r.trial!.floor]
                ] as const
            ).map(([script, m, floor]) => [
                r.sync,
                formatInt(m.records),
                script,
                `${formatInt(m.calls)}${m.limited > 0 ? ` (${formatInt(m.limited)} refused)` : ''}`,
                formatInt(m.units),
                formatInt(floor.minUnits),
                formatMs(m.simMs),
                rate(m.throughput),
                rate(floor.limitThroughput),
                percent(m.throughput / floor.limitThroughput),
                floor.sustainedThroughput === null ? '-' : rate(floor.sustainedThroughput),
                formatBytes(m.memory.liveHeapGrowth),
                m.correct ? 'matches' : `DIFFERS (${m.status})`
            ])
        )
    );
    return [
        '## Experiment: Gmail threads read by size',
        '',
        `Mailbox: ${share === null || share === undefined ? 'the seed’s default share (0.4)' : `${Math.round(share * 100)}%`} of threads ` +
            'with a single message (`--single-message-share`). The experiment (bench/experiments/) lists message ids first ' +
            '(messages.list, 5 units a page of 500, spam and trash included so counts are exact), then reads a thread of one ' +
            'message with messages.get (5 units) and the others with threads.get (10); its floor is 1 + 5 × pages + 5 × ' +
            'single + 10 × the rest. It has no checkpoints or increments: a measurement, not a sync.',
        '',
        table,
        ''
    ];
}

/** What happened beyond the figures: calls refused for quota (and retried), runs that failed. */
function events(report: Report): string[] {
    const lines: string[] = [];
    for (const result of report.results) {
        for (const [variant, m] of [
            ['ours', result.ours],
            ['naive', result.naive]
        ] as const) {
            if (!m) continue;
            const where = `${result.sync}, ${variant}, ${formatInt(result.size)} records`;
            if (m.status !== 'success')
                lines.push(`- ${where}: **${m.status}** after ${formatInt(m.calls)} calls — ${m.error ?? 'no message'}`);
            else if (m.limited > 0)
                lines.push(`- ${where}: ${formatInt(m.limited)} call(s) refused by the per-user limit, retried after backoff.`);
        }
    }
    return lines.length === 0 ? [] : ['## What happened', '', ...lines, ''];
}

function timeNote(settings: BenchSettings): string {
    const transport =
        ' Requests go to the simulators in-process (msw handlers called directly, not through msw’s socket interception, ' +
        'whose own CPU cost would be charged to the script); the simulator’s time to build an answer, its encoding into bytes ' +
        'included, is not charged either, since at a real provider it is part of the call’s latency (decoding the bytes and ' +
        'parsing the JSON are, as they are the runner’s work).';
    if (settings.scale === null) {
        return (
            `- **time (API)** is on the bench’s event clock: each API call waits ${settings.latencyMs} ms, quota windows and ` +
            'retry backoff are in the same time, local work (parsing, mapping, validating, saving) counts as the CPU time this ' +
            'process’s main thread spent on it, and whenever the process has nothing to do but wait, time jumps to the next ' +
            'wake-up. The main thread’s CPU time, not the whole process’s: a script runs on one thread, while V8’s helper ' +
            'threads (concurrent marking and sweeping, the optimizing compiler) work beside it, marking the simulator’s data ' +
            'set too, which shares the heap; the collector’s work on the main thread stays counted. So ' +
            '**time (API)** and **rec/s** are what the run would take against the real API at this latency, with this machine’s ' +
            'CPU for the local work (CPU time, not wall time, so other processes on a busy machine do not skew it); **real ' +
            'time** is how long the bench took for it here. A clock scaled by N (`--scale N`, the runtime’s SystemClock) would ' +
            'count every millisecond of local work as N ms and swamp the waits it is meant to measure.' +
            transport
        );
    }
    return (
        `- **Scaled time (--scale ${settings.scale}).** The simulators and the runtime share the runtime’s SystemClock running ` +
        `${settings.scale} times faster than real time: a ${settings.latencyMs} ms call takes ${(settings.latencyMs / settings.scale).toFixed(1)} ms ` +
        'of real time and a one-minute quota window lasts 60/scale seconds, so the ratios between latency, quota and run time hold. ' +
        `Local CPU time is scaled too (1 ms of local work counts as ${settings.scale} ms), so figures for CPU-heavy runs are pessimistic; ` +
        'the default event clock does not have this bias.' +
        transport
    );
}

function timeRow(result: CaseResult, variant: string, m: Measure, time: TimeSplit): string[] {
    const runtimeMs = time.runtime.recordsMs + time.runtime.validationMs;
    const counted = time.runtimeExcluded ? m.simMs + runtimeMs : m.simMs;
    return [
        result.sync,
        formatInt(m.records),
        variant,
        formatMs(m.simMs),
        time.waitMs === null ? '-' : formatMs(time.waitMs),
        time.localCpuMs === null ? '-' : formatMs(time.localCpuMs),
        formatMs(time.runtime.recordsMs),
        formatMs(time.runtime.validationMs),
        percent(m.throughput / result.floor.limitThroughput),
        percent(counted > 0 ? m.records / (counted / 1000) / result.floor.limitThroughput : 0)
    ];
}

function row(result: CaseResult, variant: string, m: Measure): string[] {
    return [
        result.sync,
        formatInt(m.records),
        variant,
        `${formatInt(m.calls)}${m.limited > 0 ? ` (${formatInt(m.limited)} refused)` : ''}`,
        formatInt(m.units),
        formatInt(result.floor.minUnits),
        formatRatio(m.units / result.floor.minUnits),
        formatMs(m.simMs),
        rate(m.throughput),
        rate(result.floor.limitThroughput),
        percent(m.throughput / result.floor.limitThroughput),
        formatBytes(m.memory.liveHeapGrowth),
        formatBytes(m.memory.rssGrowth),
        formatMs(m.wallMs),
        m.correct ? 'matches' : `DIFFERS (${m.status}${m.error ? `: ${m.error.slice(0, 80)}` : ''})`
    ];
}
