import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../../runtime/sandbox.js';
import { loadRecording } from '../../runner/replay/recording.js';
import { replay } from '../../runner/replay/replay.js';
import { formatDifference, replayCommand } from '../../runner/commands/replay.js';

const RECORDINGS = resolve(REPO_ROOT, 'tests', 'recordings');
const recordings = readdirSync(RECORDINGS, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.json'))
    .sort();

describe('every recording under tests/recordings', () => {
    it('holds one recording per sync and per action', () => {
        expect(recordings.length).toBeGreaterThanOrEqual(11);
    });

    it.each(recordings)('%s replays with the same saves, deletions and output', async (file) => {
        const result = await replay(loadRecording(join(RECORDINGS, file)));
        expect(result.differences.map(formatDifference)).toEqual([]);
        expect(result.answered).toBeGreaterThan(0);
    });
});

describe('a replay that differs from its recording', () => {
    const work = mkdtempSync(join(tmpdir(), 'replay-test-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('names the script, the model, the record and the field a changed mapper changes', async () => {
        // A copy of the Nango folder with one mapper altered; models.ts beside it, as the scripts import it.
        cpSync(resolve(REPO_ROOT, 'nango-integrations'), join(work, 'nango-integrations'), {
            recursive: true,
            filter: (path) => !/[/\\](build|dist|tests|\.nango)$/.test(path)
        });
        cpSync(resolve(REPO_ROOT, 'models.ts'), join(work, 'models.ts'));
        const mappers = join(work, 'nango-integrations', 'salesforce', 'mappers.ts');
        const text = readFileSync(mappers, 'utf8');
        expect(text).toContain('title: row.Title ?? null');
        writeFileSync(mappers, text.replace('title: row.Title ?? null', 'title: row.Title?.toUpperCase() ?? null'));

        const loaded = loadRecording(join(RECORDINGS, 'salesforce', 'salesforce-leads.test.json'));
        const { differences } = await replay(loaded, { integrationsDir: join(work, 'nango-integrations') });

        const titled = (loaded.recording.nango?.batchSave?.['SalesforceLead'] ?? []).filter(
            (lead) => typeof lead['title'] === 'string' && lead['title'] !== lead['title'].toUpperCase()
        );
        expect(titled.length).toBeGreaterThan(0);
        expect(differences).toHaveLength(titled.length);
        for (const d of differences) {
            expect(d).toMatchObject({ script: 'salesforce-leads', model: 'SalesforceLead', field: 'title' });
            expect(d.replayed).toBe(String(d.recorded).toUpperCase());
        }
        expect(formatDifference(differences[0]!)).toMatch(/^salesforce-leads SalesforceLead record 00Q\w+ field title: recorded "/);
    });

    it('fails an unrecorded request, naming its method, endpoint and params', async () => {
        const loaded = loadRecording(join(RECORDINGS, 'salesforce', 'salesforce-leads.test.json'));
        const query = loaded.recording.api?.['get']?.['/services/data/v66.0/queryAll'];
        expect(query).toBeDefined();
        const q = (Array.isArray(query) ? query[0] : query)!.request!.params!['q']!;
        delete loaded.recording.api!['get']!['/services/data/v66.0/queryAll'];

        const { differences } = await replay(loaded);

        const unrecorded = differences.filter((d) => d.model === 'request');
        expect(unrecorded).toHaveLength(1);
        expect(unrecorded[0]!.field).toBe(
            `unrecorded request GET /services/data/v66.0/queryAll params ${JSON.stringify({ q })} headers {"Sforce-Query-Options":"batchSize=2000"}`
        );
        // The run fails on it, and the records the recording holds are then missing from the replay.
        expect(differences.some((d) => d.model === 'run')).toBe(true);
        expect(differences.some((d) => d.model === 'SalesforceLead' && d.field === '(record saved in the recording only)')).toBe(true);
    });

    it('does not answer a request whose params differ from every recorded one', async () => {
        const loaded = loadRecording(join(RECORDINGS, 'google-mail', 'gmail-contacts.test.json'));
        const entry = loaded.recording.api!['get']!['/v1/people/me/connections']!;
        const answer = Array.isArray(entry) ? entry[0]! : entry;
        answer.hash = 'not-this-request';
        answer.request = { ...answer.request, params: { ...answer.request?.params, pageSize: '10' } };

        const { differences } = await replay(loaded);

        expect(differences.filter((d) => d.model === 'request').map((d) => d.field)).toEqual([
            expect.stringMatching(/^unrecorded request GET \/v1\/people\/me\/connections params \{.*"pageSize":"1000"/)
        ]);
    });

    it('npm start -- replay exits 1 on a difference, 0 on none, reading the CLI layout <integration>/tests/<name>.test.json', async () => {
        const folder = join(work, 'cli', 'salesforce', 'tests');
        mkdirSync(folder, { recursive: true });
        const original = readFileSync(join(RECORDINGS, 'salesforce', 'create-lead.test.json'), 'utf8');
        const file = join(folder, 'create-lead.test.json');
        writeFileSync(file, original);
        const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
        try {
            expect(await replayCommand([file])).toBe(0);
            const changed = JSON.parse(original) as { output: Record<string, unknown> };
            changed.output['id'] = 'not-what-the-script-returns';
            writeFileSync(file, JSON.stringify(changed));
            expect(await replayCommand([file])).toBe(1);
            expect(out.mock.calls.map(([text]) => String(text)).join('')).toContain(
                'create-lead output field id: recorded "not-what-the-script-returns" / replayed "00Q'
            );
        } finally {
            out.mockRestore();
        }
    });
});
