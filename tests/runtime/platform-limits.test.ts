import { describe, expect, it } from 'vitest';
import { recordsRequestBytes } from '../../runtime/platform-limits.js';
import { RecordsStore, runAction, runSync, VirtualClock, type RunSyncOptions } from '../../runtime/index.js';
import { FIXTURES_DIR } from './support/fixtures.js';

const conn = { integration: 'google-mail', connectionId: 'local' };

function limitsRun(metadata: Record<string, unknown>, extra: Partial<RunSyncOptions> = {}) {
    const store = new RecordsStore();
    store.setMetadata(conn, metadata);
    const result = runSync({
        integration: 'google-mail',
        name: 'limits',
        store,
        clock: new VirtualClock(),
        integrationsDir: FIXTURES_DIR,
        ...extra
    });
    return { store, result };
}

const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));

describe('checkpoints, refused as persist refuses them', () => {
    it('refuses a save sent while another is unanswered, as persist refuses a stale expectedVersion; saves one after another pass', async () => {
        const { store, result } = limitsRun({ overlappingCheckpoints: true });
        const run = await result;
        expect(run.status, run.error?.message).toBe('success');
        const [first, second] = run.logs.find((log) => log.message.includes(' | '))!.message.split(' | ');
        expect(first).toBe('saved');
        expect(second).toBe(
            'Error: Error saving checkpoint: Failed to save checkpoint: {"error":{"code":"checkpoint_conflict","message":"Checkpoint has been updated since last read"}}'
        );
        expect(store.getCheckpoint(conn, 'limits')).toEqual({ n: 3 });
    });

    it.each([
        ['16 fields', fields(16)],
        ['a string of 4,000 characters', { s: 'x'.repeat(4000) }],
        ['a key of 255 characters', { ['k'.repeat(255)]: true }]
    ])('accepts %s', async (_, checkpoint) => {
        const { store, result } = limitsRun({ checkpoint });
        expect((await result).status).toBe('success');
        expect(store.getCheckpoint(conn, 'limits')).toEqual(checkpoint);
    });

    it.each([
        ['17 fields', fields(17), /Checkpoint cannot have more than 16 fields/],
        ['a string of 4,001 characters', { s: 'x'.repeat(4001) }, /"code":"too_big".*"path":\["checkpoint","s"\]/],
        ['a key of 256 characters', { ['k'.repeat(256)]: true }, /"path":\["checkpoint","k{256}"\]/],
        ['a nested object', { page: { token: 'p1' } }, /"path":\["checkpoint","page"\]/],
        ['an array', ['p1'], /"path":\["checkpoint"\]/]
    ])('refuses %s: saveCheckpoint throws what the runner throws and the run fails', async (_, checkpoint, detail) => {
        const { store, result } = limitsRun({ checkpoint });
        const run = await result;
        expect(run.status).toBe('failed');
        expect(run.error?.type).toBe('script_internal_error');
        expect(run.error?.message).toMatch(
            /^Error saving checkpoint: Failed to save checkpoint: \{"error":\{"code":"invalid_request","errors":\[/
        );
        expect(run.error?.message).toMatch(detail);
        expect(store.getCheckpoint(conn, 'limits')).toBeNull();
    });

    it('stores a Date as the ISO string the JSON body carries', async () => {
        const { store, result } = limitsRun({ dateCheckpoint: true });
        expect((await result).status).toBe('success');
        expect(store.getCheckpoint(conn, 'limits')).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    });
});

describe('records requests, refused as persist refuses them', () => {
    it('accepts an id of 255 characters and refuses one of 256, naming the record', async () => {
        const ok = limitsRun({ records: { count: 2, idChars: 255 } });
        expect((await ok.result).status).toBe('success');
        expect(ok.store.countLive(conn, 'LimitsItem')).toBe(2);

        const refused = limitsRun({ records: { count: 2, idChars: 256 } });
        const run = await refused.result;
        expect(run.status).toBe('failed');
        expect(run.error?.type).toBe('script_internal_error');
        expect(run.error?.message).toMatch(
            /^Failed to save records: \{"error":\{"code":"invalid_request","errors":\[.*"path":\["records","0","id"\]/
        );
        expect(refused.store.countLive(conn, 'LimitsItem')).toBe(0);
    });

    it('sends 1,000 records a request: the chunks before a refused one are stored', async () => {
        // Record 1000 is the first of the second chunk.
        const refused = limitsRun({ records: { count: 1001, longIdAt: 1000 } });
        expect((await refused.result).error?.message).toMatch(/"path":\["records","0","id"\]/);
        expect(refused.store.countLive(conn, 'LimitsItem')).toBe(1000);

        const bytesOfChunk = (count: number) =>
            recordsRequestBytes({
                model: 'LimitsItem',
                records: Array.from({ length: count }, (_, i) => ({ id: String(i), blob: 'b'.repeat(10) })),
                providerConfigKey: 'google-mail',
                connectionId: 'local',
                merging: { strategy: 'override' }
            });
        // A limit the first chunk of 1,000 meets exactly: it passes, the second chunk (500 records) too.
        const limit = bytesOfChunk(1000);
        const split = limitsRun({ records: { count: 1500, blobChars: 10 } }, { limits: { recordsRequestBytes: limit } });
        expect((await split.result).status).toBe('success');
        expect(split.store.countLive(conn, 'LimitsItem')).toBe(1500);
    });

    it('accepts a request of exactly the byte limit and refuses one byte more, as persist answers request_too_large', async () => {
        const exact = recordsRequestBytes({
            model: 'LimitsItem',
            records: [{ id: '0', blob: 'b'.repeat(100) }],
            providerConfigKey: 'google-mail',
            connectionId: 'local',
            merging: { strategy: 'override' }
        });
        const ok = limitsRun({ records: { count: 1, blobChars: 100 } }, { limits: { recordsRequestBytes: exact } });
        expect((await ok.result).status).toBe('success');

        const over = limitsRun({ records: { count: 1, blobChars: 100 } }, { limits: { recordsRequestBytes: exact - 1 } });
        const run = await over.result;
        expect(run.status).toBe('failed');
        expect(run.error?.message).toBe('Failed to save records: {"error":{"code":"request_too_large","message":"Entity too large"}}');
        expect(over.store.countLive(conn, 'LimitsItem')).toBe(0);
    });

    it("uses Nango's 100 MB (100 × 1024 × 1024 bytes) unless told otherwise", async () => {
        // 100 records of 1 MiB each: one request of just over 100 MiB.
        const { store, result } = limitsRun({ records: { count: 100, blobChars: 1024 * 1024 } });
        const run = await result;
        expect(run.error?.message).toMatch(/request_too_large/);
        expect(store.countLive(conn, 'LimitsItem')).toBe(0);
    });
});

describe('action output, at most 2 MB', () => {
    const sized = (chars: number) =>
        runAction({
            integration: 'google-mail',
            name: 'sized',
            input: { chars },
            store: new RecordsStore(),
            clock: new VirtualClock(),
            integrationsDir: FIXTURES_DIR
        });

    it('returns an output of exactly 2,097,152 bytes of JSON and refuses one byte more as the runner does', async () => {
        const ok = await sized(2 * 1024 * 1024 - 11);
        expect(ok.status).toBe('success');
        const refused = await sized(2 * 1024 * 1024 - 10);
        expect(refused).toMatchObject({ status: 'failed', error: { error_type: 'script_internal_error' } });
        if (refused.status !== 'failed') return;
        expect(refused.error.message).toMatch(/^Output size is too large: 2097153 bytes\. Maximum allowed size is 2097152 bytes \(2MB\)/);
    });
});

describe('logs, truncated as the runner truncates them', () => {
    const logged = async (...logs: unknown[][]) => {
        const { result } = limitsRun({ logs });
        const run = await result;
        expect(run.status).toBe('success');
        return run.logs.filter((l) => !l.message.startsWith('console:')).map((l) => l.message);
    };

    it('keeps a message of 99,000 bytes and cuts a longer one at 99,000 bytes, never inside a character', async () => {
        const [kept, cut, accented] = await logged(['a'.repeat(99_000)], ['a'.repeat(99_001)], ['é'.repeat(49_501)]);
        expect(kept).toBe('a'.repeat(99_000));
        expect(cut).toBe(`${'a'.repeat(99_000)}... (truncated)`);
        expect(accented).toBe(`${'é'.repeat(49_500)}... (truncated)`);
    });

    it('keeps only the message and one payload, and cuts an oversized payload, saying so', async () => {
        const [two, big] = await logged(['found', { ids: ['a'] }, 'dropped'], ['big', { small: 1, huge: 'h'.repeat(100_000) }]);
        expect(two).toBe('found {"ids":["a"]}');
        expect(big).toBe('big ... (truncated, payload was too large) {"small":1}');
    });
});
