import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RecordsStore } from '../../runtime/records-store.js';
import { parseLimit } from '../../runner/commands/records.js';
import { readJsonArgument } from '../../runner/commands/shared.js';
import { inputFields } from '../../runner/input-help.js';
import { startingPoint } from '../../runner/run.js';
import { UserError } from '../../runner/errors.js';
import { markdownTable, textTable } from '../../runner/format.js';
import { liveCredentials, redact } from '../../runner/live.js';
import { ProgressLine } from '../../runner/progress.js';
import { floorFor } from '../../bench/costs.js';

function output(isTTY: boolean): { write(text: string): boolean; isTTY: boolean; text: string } {
    return {
        isTTY,
        text: '',
        write(chunk: string) {
            this.text += chunk;
            return true;
        }
    };
}

describe('progress lines', () => {
    it('redraw in place on a terminal and end with a newline', () => {
        const out = output(true);
        const line = new ProgressLine(out, 'gmail-threads (initial)');
        line.update({ records: 100, pages: 1, calls: 101, elapsedMs: 900 });
        line.finish('done');
        expect(out.text).toContain('\r\x1b[K  gmail-threads (initial): 100 records saved, 1 pages, 101 API calls, 900 ms');
        expect(out.text.endsWith(' — done\n')).toBe(true);
    });

    it('are plain lines elsewhere: no cursor codes, and no line per update', () => {
        const out = output(false);
        const line = new ProgressLine(out, 'events (initial)');
        for (let i = 0; i < 50; i += 1) line.update({ records: i, pages: i, calls: i, elapsedMs: i });
        line.finish('done');
        expect(out.text).toBe('  events (initial): 49 records saved, 49 pages, 49 API calls, 49 ms — done\n');
    });
});

describe('live credentials', () => {
    it('name every missing variable', () => {
        expect(() => liveCredentials('salesforce', {})).toThrow(/SALESFORCE_ACCESS_TOKEN and SALESFORCE_INSTANCE_URL/);
        expect(() => liveCredentials('google-calendar', { GOOGLE_ACCESS_TOKEN: '  ' })).toThrow(UserError);
    });

    it('refuse an instance URL that is not an https origin', () => {
        expect(() =>
            liveCredentials('salesforce', { SALESFORCE_ACCESS_TOKEN: 'x', SALESFORCE_INSTANCE_URL: 'acme.my.salesforce.com' })
        ).toThrow(/SALESFORCE_INSTANCE_URL must look like/);
        expect(
            liveCredentials('salesforce', { SALESFORCE_ACCESS_TOKEN: 't0k3n!', SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com/' })
        ).toEqual({
            accessToken: 't0k3n!',
            connectionConfig: { instance_url: 'https://acme.my.salesforce.com' },
            secrets: ['t0k3n!']
        });
    });

    it('are redacted wherever they appear, URL-encoded too', () => {
        const token = '00D5g000004!AQ8AQ/x+y=';
        const text = `Authorization: Bearer ${token} at /query?access_token=${encodeURIComponent(token)}`;
        expect(redact(text, [token])).toBe('Authorization: Bearer [redacted] at /query?access_token=[redacted]');
    });
});

describe('tables', () => {
    it('align numbers right and pad every column to its widest cell', () => {
        const table = textTable(
            [{ title: 'model' }, { title: 'stored', align: 'right' }],
            [
                ['GmailThread', '9'],
                ['GoogleCalendarEvent', '1,200']
            ]
        );
        expect(table.split('\n')).toEqual([
            'model                stored',
            '-------------------  ------',
            'GmailThread               9',
            'GoogleCalendarEvent   1,200'
        ]);
    });

    it('escape pipes in markdown cells', () => {
        expect(markdownTable([{ title: 'a' }], [['x|y']])).toBe('| a |\n|:---|\n| x\\|y |');
    });
});

describe('the cost floors', () => {
    it('charge Gmail getProfile, messages.list at 500 a page, and messages.get or threads.get by thread size; the quota binds by whole windows', () => {
        // 100k threads holding 250k messages, 40k of them threads of one message.
        const shape = { records: 100_000, singleMessage: 40_000, listedMessages: 250_000 };
        const floor = floorFor('gmail-threads', shape, 100, { capacity: 15_000, windowMs: 60_000 });
        expect(floor.minCalls).toBe(1 + 500 + 100_000);
        expect(floor.minUnits).toBe(1 + 2_500 + 200_000 + 600_000);
        // 802,501 units: the first 15,000 at once, then 15,000 a minute: the last one after 53 minutes.
        expect(floor.limitThroughput).toBeCloseTo(100_000 / (53 * 60 + 0.1), 6);
        expect(floor.sustainedThroughput).toBeCloseTo(250 / 8.02501, 6);
        expect(floor.boundBy).toMatch(/^quota: 15,000 units \/ 60 s \(53 windows\)/);
        // A shape without sizes has no thread of one message: every read at the threads.get price.
        expect(floorFor('gmail-threads', { records: 100_000 }, 100, { capacity: 15_000, windowMs: 60_000 }).minUnits).toBe(
            1 + 1_000 + 1_000_000
        );
    });

    it('let a run that fits in one window go at the speed of its sequential calls', () => {
        const floor = floorFor('gmail-threads', { records: 1_000 }, 100, { capacity: 15_000, windowMs: 60_000 });
        expect(floor.quotaThroughput).toBeNull();
        expect(floor.sequentialCalls).toBe(3);
        expect(floor.limitThroughput).toBeCloseTo(1_000 / 0.3, 6);
    });

    it('leave Salesforce latency-bound while its daily allowance covers the run', () => {
        const floor = floorFor('salesforce-leads', { records: 100_000 }, 100, { capacity: 100_000, windowMs: 86_400_000 });
        expect(floor.minCalls).toBe(50);
        expect(floor.quotaThroughput).toBeNull();
        expect(floor.limitThroughput).toBeCloseTo(100_000 / 5, 6);
    });

    it('page Calendar per calendar, at least one call each, calendars side by side', () => {
        const floor = floorFor('events', { records: 6_000, perPartition: [5_001, 998, 1] }, 100, { capacity: 600, windowMs: 60_000 });
        expect(floor.minCalls).toBe(3 + 1 + 1);
        expect(floor.sequentialCalls).toBe(3);
    });
});

describe('command line arguments', () => {
    it("read a relative @file from the caller's directory (INIT_CWD), not the repository root npm runs in", () => {
        const caller = mkdtempSync(join(tmpdir(), 'caller-'));
        writeFileSync(join(caller, 'input.json'), '{"LastName":"Hopper"}');
        expect(readJsonArgument('@input.json', '--input', { INIT_CWD: caller })).toEqual({ LastName: 'Hopper' });
        expect(() => readJsonArgument('@input.json', '--input', { INIT_CWD: tmpdir() })).toThrow(
            `--input: cannot read ${join(tmpdir(), 'input.json')}`
        );
    });

    it('say what --limit was given and what it takes', () => {
        expect(parseLimit('25')).toBe(25);
        for (const bad of ['abc', '', '2.5', '-1', '1e3']) {
            expect(() => parseLimit(bad)).toThrow(`--limit takes a whole number of records per page, from 1 to 10000; got "${bad}"`);
        }
    });
});

describe('where a sync starts', () => {
    const conn = { integration: 'google-mail', connectionId: 'local' };

    it('is the checkpoint only when one exists, and a resumption only after a run that did not finish', () => {
        const store = new RecordsStore();
        expect(startingPoint(store, conn.integration, conn.connectionId, 'gmail-threads')).toBe('no checkpoint: from scratch');
        store.saveCheckpoint(conn, 'gmail-threads', { historyId: '9' });
        expect(startingPoint(store, conn.integration, conn.connectionId, 'gmail-threads')).toBe('from its checkpoint');
        store.kvSet('runner/last-run/google-mail/local/gmail-threads', 'success');
        expect(startingPoint(store, conn.integration, conn.connectionId, 'gmail-threads')).toBe(
            'incremental, from the checkpoint its last run finished with'
        );
        store.kvSet('runner/last-run/google-mail/local/gmail-threads', 'interrupted');
        expect(startingPoint(store, conn.integration, conn.connectionId, 'gmail-threads')).toBe(
            'resuming from its checkpoint (its last run ended: interrupted)'
        );
        store.close();
    });
});

describe('action input help', () => {
    it('lists each field with its type, whether it is required, and its description', () => {
        const input = z.object({
            to: z.array(z.object({ email: z.string(), name: z.string().optional() })).describe('recipients'),
            mode: z.enum(['a', 'b']).optional(),
            size: z.number().nullable()
        });
        expect(inputFields(input)).toEqual([
            { name: 'to', type: '{ email: string, name?: string }[]', required: true, description: 'recipients' },
            { name: 'mode', type: '"a" | "b"', required: false, description: '' },
            { name: 'size', type: 'number | null', required: true, description: '' }
        ]);
    });
});
