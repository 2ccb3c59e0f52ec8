import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshLocalDir, parseInProcess, runCli, syncCounts } from './cli-process.js';

const NOTICE = "Production runs on Nango's workers";

describe('npm start --help', () => {
    const localDir = freshLocalDir();

    it('says what the runner is for, and lists every command and integration', async () => {
        const run = await runCli(['--help'], { localDir });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(NOTICE);
        expect(run.stdout).toContain('npm run deploy');
        for (const command of ['rehearse', 'sync', 'action', 'records', 'simulate'])
            expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
        for (const script of [
            'gmail-threads',
            'gmail-contacts',
            'salesforce-leads',
            'salesforce-opportunities',
            'events',
            'send-email',
            'update-event'
        ]) {
            expect(run.stdout).toContain(script);
        }
    });

    it.each([
        ['sync', ['--connection', '--reset', '--live', '--metadata', 'GOOGLE_ACCESS_TOKEN', 'SALESFORCE_INSTANCE_URL']],
        ['action', ['--input', '@file.json', '--live', '--yes', 'SALESFORCE_ACCESS_TOKEN']],
        ['records', ['--connection', '--modified-after', '--filter', '--limit', '--cursor', '--json']],
        ['simulate', ['gmail', 'people', 'calendar', 'salesforce', 'history-expiry', 'token-expiry', 'new-mail']],
        ['rehearse', ['--only']]
    ])('%s --help documents its arguments', async (command, expected) => {
        const run = await parseInProcess([command, '--help']);
        expect(run.exit).toBe('commander.helpDisplayed');
        for (const text of expected) expect(run.stdout).toContain(text);
    });

    it("action <integration> <action> --help lists the action's input fields from its zod schema", async () => {
        const run = await parseInProcess(['action', 'salesforce', 'create-lead', '--help']);
        expect(run.exit).toBe('commander.helpDisplayed');
        expect(run.stdout).toMatch(/^field +type +required +description$/m);
        // Optional in the schema only for its deprecated alias, and the help says so.
        expect(run.stdout).toMatch(/^lastName +string +yes, or alias +Required \(or the deprecated LastName\)\.$/m);
        expect(run.stdout).toMatch(/^firstName +string +no *$/m);
        expect(run.stdout).toContain('--input <json>');
    });

    it('rejects an unknown command with usage and a non-zero exit', async () => {
        const run = await runCli(['synk'], { localDir });
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain('unknown command "synk"');
    });
});

describe('the rehearsal (npm start without arguments)', () => {
    const localDir = freshLocalDir();
    let run: Awaited<ReturnType<typeof runCli>>;

    beforeAll(async () => {
        run = await runCli([], { localDir });
    }, 240_000);

    it('runs every sync and action of every integration and passes its verdict', () => {
        expect(run.stdout).toContain(NOTICE);
        for (const phase of ['initial', 'incremental', 'after expiry', 'after actions']) expect(run.stdout).toContain(`(${phase})`);
        for (const action of ['send-email', 'reply-email', 'create-lead', 'update-opportunity', 'create-event', 'update-event']) {
            expect(run.stdout).toMatch(new RegExp(`^${action} +action +success`, 'm'));
        }
        for (const model of ['GmailThread', 'GoogleContact', 'SalesforceLead', 'SalesforceOpportunity', 'GoogleCalendarEvent']) {
            expect(run.stdout).toMatch(new RegExp(`^${model} +\\d+ +\\d+ +0 +0 +0 +0 +OK$`, 'm'));
        }
        expect(run.stdout).toContain('PASS');
        expect(run.code).toBe(0);
    });

    it('prints plain lines without a terminal: no carriage returns or cursor codes', () => {
        expect(run.stdout).not.toContain('\r');
        expect(run.stdout).not.toContain('\u001b[');
    });

    it('leaves its records for `records` to show, even without --connection', async () => {
        const records = await runCli(['records', 'GmailThread', '--limit', '3'], { localDir });
        expect(records.code).toBe(0);
        expect(records.stdout).toContain('connection "rehearsal": 3 record(s)');
        expect(records.stderr).toContain('--connection rehearsal');
    });

    it('starts from a clean slate when run again', async () => {
        const again = await runCli(['rehearse', '--only', 'google-calendar'], { localDir });
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/events +initial +success +\d+ +0 +0/);
    }, 120_000);
});

describe('sync, simulate and records against the persisted simulators', () => {
    const localDir = freshLocalDir();

    it('runs a sync from scratch, then incrementally: a second run changes nothing', async () => {
        const first = await runCli(['sync', 'google-mail', 'gmail-contacts'], { localDir });
        expect(first.code).toBe(0);
        expect(first.stdout).toContain('no checkpoint: from scratch');
        const seeded = syncCounts(first.stdout);
        expect(seeded.added).toBeGreaterThan(100);

        const second = await runCli(['sync', 'google-mail', 'gmail-contacts'], { localDir });
        expect(second.code).toBe(0);
        // The first run finished: the second is incremental, not the rest of an unfinished run.
        expect(second.stdout).toContain('incremental, from the checkpoint its last run finished with');
        expect(second.stdout).not.toContain('resuming');
        expect(syncCounts(second.stdout)).toEqual({ added: 0, updated: 0, deleted: 0 });
    });

    it('picks up exactly what `simulate` changed at the provider', async () => {
        const added = await runCli(['simulate', 'people', 'new-contacts'], { localDir });
        expect(added.code).toBe(0);
        expect(added.stdout).toContain('added people/');
        expect(syncCounts((await runCli(['sync', 'google-mail', 'gmail-contacts'], { localDir })).stdout)).toEqual({
            added: 3,
            updated: 0,
            deleted: 0
        });

        await runCli(['simulate', 'people', 'edit-contacts'], { localDir });
        expect(syncCounts((await runCli(['sync', 'google-mail', 'gmail-contacts'], { localDir })).stdout)).toEqual({
            added: 0,
            updated: 4,
            deleted: 0
        });

        await runCli(['simulate', 'people', 'delete-contacts'], { localDir });
        const deleted = syncCounts((await runCli(['sync', 'google-mail', 'gmail-contacts'], { localDir })).stdout);
        expect(deleted.added + deleted.updated).toBe(0);
        expect(deleted.deleted).toBeGreaterThan(0);

        const tombstones = await runCli(['records', 'GoogleContact', '--filter', 'deleted', '--json'], { localDir });
        const page = JSON.parse(tombstones.stdout) as {
            records: { _nango_metadata: { last_action: string; deleted_at: string | null } }[];
        };
        expect(page.records.length).toBe(deleted.deleted);
        for (const record of page.records) {
            expect(record._nango_metadata.last_action).toBe('DELETED');
            expect(record._nango_metadata.deleted_at).not.toBeNull();
        }
    });

    it('--reset runs the sync from scratch again', async () => {
        const run = await runCli(['sync', 'google-mail', 'gmail-contacts', '--reset'], { localDir });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('no checkpoint: from scratch');
        expect(syncCounts(run.stdout).added).toBeGreaterThan(100);
    });

    it('lists activities when `simulate` gets no activity, and refuses an unknown one', async () => {
        const list = await runCli(['simulate', 'gmail'], { localDir });
        expect(list.code).toBe(0);
        for (const name of ['new-mail', 'label-changes', 'delete-messages', 'history-expiry']) expect(list.stdout).toContain(name);
        const unknown = await runCli(['simulate', 'gmail', 'meteor-strike'], { localDir });
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toContain('unknown activity "meteor-strike"');
        const ambiguous = await runCli(['simulate', 'google-mail', 'new-mail'], { localDir });
        expect(ambiguous.code).toBe(1);
        expect(ambiguous.stderr).toContain('"gmail"');
    });

    it('shows cached Gmail threads as a table, and as the records API answer with a cursor', async () => {
        expect((await runCli(['sync', 'google-mail', 'gmail-threads'], { localDir })).code).toBe(0);

        const table = await runCli(['records', 'GmailThread', '--limit', '3'], { localDir });
        expect(table.code).toBe(0);
        expect(table.stdout).toContain('connection "local": 3 record(s)');
        const rows = table.stdout.split('\n').filter((line) => /^[0-9a-f]{16} /.test(line));
        expect(rows).toHaveLength(3);
        expect(table.stdout).toMatch(/more: --cursor \S+/);

        const json = await runCli(['records', 'GmailThread', '--limit', '3', '--json'], { localDir });
        const first = JSON.parse(json.stdout) as { records: { id: string; messages: unknown[] }[]; next_cursor: string | null };
        expect(first.records).toHaveLength(3);
        expect(first.records.map((r) => r.id)).toEqual(rows.map((row) => row.split(' ')[0]));
        expect(first.records[0]!.messages.length).toBeGreaterThan(0);
        expect(typeof first.next_cursor).toBe('string');

        const next = await runCli(['records', 'GmailThread', '--limit', '3', '--cursor', first.next_cursor!, '--json'], { localDir });
        const second = JSON.parse(next.stdout) as { records: { id: string }[] };
        expect(second.records).toHaveLength(3);
        expect(second.records.some((r) => first.records.some((f) => f.id === r.id))).toBe(false);
    });

    it('stops quietly when the reader of its output goes away (`| head`)', async () => {
        const run = await runCli(['records', 'GmailThread', '--limit', '10000', '--json'], { localDir, closeStdoutEarly: true });
        expect(run.stderr).not.toContain('EPIPE');
        expect(run.stderr).not.toMatch(/^\s+at /m);
        expect(run.code).toBe(0);
    });

    it('refuses bad records queries with the reason', async () => {
        const word = await runCli(['records', 'GmailThread', '--limit', 'abc'], { localDir });
        expect(word.code).toBe(1);
        expect(word.stderr).toContain('--limit takes a whole number of records per page, from 1 to 10000; got "abc"');
        expect(word.stderr).not.toContain('NaN');
        const limit = await runCli(['records', 'GmailThread', '--limit', '0'], { localDir });
        expect(limit.code).toBe(1);
        expect(limit.stderr).toContain('invalid_limit');
        const model = await runCli(['records', 'GmailThreads'], { localDir });
        expect(model.code).toBe(1);
        expect(model.stderr).toContain('unknown model "GmailThreads"');
        const filter = await runCli(['records', 'GmailThread', '--filter', 'removed'], { localDir });
        expect(filter.code).toBe(1);
        expect(filter.stderr).toContain('invalid_filter');
    });
});

describe('action', () => {
    const localDir = freshLocalDir();

    it('runs an action with input from a file, and the next sync picks up what it wrote', async () => {
        expect((await runCli(['sync', 'salesforce', 'salesforce-leads'], { localDir })).code).toBe(0);
        // A relative @file is read from the caller's directory, which npm passes on as INIT_CWD.
        const inputFile = join(localDir, 'lead.json');
        writeFileSync(
            inputFile,
            JSON.stringify({ lastName: 'Lovelace', firstName: 'Ada', company: 'Analytical Engines Ltd', email: 'ada@example.com' })
        );

        const action = await runCli(['action', 'salesforce', 'create-lead', '--input', '@lead.json'], {
            localDir,
            env: { INIT_CWD: localDir }
        });
        expect(action.code).toBe(0);
        const output = JSON.parse(/Output:\n([\s\S]*?\n\})\n/.exec(action.stdout)![1]!) as { id: string; success: boolean };
        expect(output.success).toBe(true);
        expect(output.id).toMatch(/^00Q[a-zA-Z0-9]{15}$/);

        const sync = await runCli(['sync', 'salesforce', 'salesforce-leads'], { localDir });
        expect(syncCounts(sync.stdout)).toEqual({ added: 1, updated: 0, deleted: 0 });
        const records = await runCli(['records', 'SalesforceLead', '--filter', 'added', '--limit', '10000', '--json'], { localDir });
        const created = (JSON.parse(records.stdout) as { records: { id: string; lastName: string; company: string }[] }).records.find(
            (r) => r.id === output.id
        );
        expect(created).toMatchObject({ lastName: 'Lovelace', company: 'Analytical Engines Ltd' });
    });

    it('takes inline JSON and reports a refused input with the field, exiting non-zero', async () => {
        const run = await runCli(['action', 'salesforce', 'create-lead', '--input', '{"FirstName":"Nobody"}'], { localDir });
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('failed');
        expect(run.stdout).toMatch(/LastName/);
    });

    it('explains input that is not JSON', async () => {
        const run = await runCli(['action', 'salesforce', 'create-lead', '--input', '{LastName:'], { localDir });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('--input is not valid JSON');
    });
});

describe('--live', () => {
    const localDir = freshLocalDir();
    const secret = 'ya29.super-secret-token-value-123';

    it('names the missing variable and exits non-zero before sending anything', async () => {
        const run = await runCli(['sync', 'google-mail', 'gmail-threads', '--live'], { localDir });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('GOOGLE_ACCESS_TOKEN');
        expect(run.stderr).toContain('Nothing was sent');
    });

    it('names the one Salesforce variable missing, and never prints the token it was given', async () => {
        const run = await runCli(['sync', 'salesforce', 'salesforce-leads', '--live'], {
            localDir,
            env: { SALESFORCE_ACCESS_TOKEN: secret }
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('SALESFORCE_INSTANCE_URL');
        expect(run.stderr).not.toContain('SALESFORCE_ACCESS_TOKEN and');
        expect(run.all).not.toContain(secret);
    });

    it('refuses a live write without a terminal to confirm on, unless --yes', async () => {
        const run = await runCli(
            ['action', 'google-mail', 'send-email', '--live', '--input', '{"to":[{"email":"a@example.com"}],"subject":"x","text":"y"}'],
            {
                localDir,
                env: { GOOGLE_ACCESS_TOKEN: secret }
            }
        );
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('--yes');
        expect(run.all).not.toContain(secret);
    });
});
