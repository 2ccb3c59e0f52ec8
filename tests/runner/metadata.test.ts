import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordsStore } from '../../runtime/records-store.js';
import { checkSyncMetadata, syncCommand } from '../../runner/commands/sync.js';
import { storeFile } from '../../runner/paths.js';
import { freshLocalDir } from './cli-process.js';

describe('sync --metadata is checked against the sync’s metadata schema before it is stored', () => {
    let previous: string | undefined;
    beforeEach(() => {
        previous = process.env['NANGO_LOCAL_DIR'];
        process.env['NANGO_LOCAL_DIR'] = freshLocalDir();
    });
    afterEach(() => {
        if (previous === undefined) delete process.env['NANGO_LOCAL_DIR'];
        else process.env['NANGO_LOCAL_DIR'] = previous;
    });

    it('refuses metadata the schema refuses, naming the field, and stores nothing', async () => {
        await expect(syncCommand('salesforce', 'salesforce-leads', { metadata: '{"modifiedSince": 20240101}' })).rejects.toThrow(
            /--metadata does not match the metadata of salesforce salesforce-leads: modifiedSince: .*string/
        );
        const store = new RecordsStore(storeFile());
        try {
            expect(store.getMetadata({ integration: 'salesforce', connectionId: 'local' })).toBeNull();
        } finally {
            store.close();
        }
    });

    it('names every refused field, with its path', async () => {
        await expect(
            checkSyncMetadata('google-calendar', 'events', { calendarIds: ['primary', 7], backfillDays: 'a year' })
        ).rejects.toThrow(/calendarIds\.1: .*; backfillDays: /);
    });

    it('accepts metadata the schema accepts', async () => {
        await expect(checkSyncMetadata('salesforce', 'salesforce-leads', { modifiedSince: '2024-01-01' })).resolves.toBeUndefined();
        await expect(checkSyncMetadata('google-calendar', 'events', { calendarIds: ['primary'] })).resolves.toBeUndefined();
    });
});
