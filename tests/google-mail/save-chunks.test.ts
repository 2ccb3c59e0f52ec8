import { describe, expect, it } from 'vitest';
import { jsonBytes, SAVE_CHUNK, SAVE_MAX_BYTES, SaveChunks } from '../../nango-integrations/google-mail/threads.js';
import { conn, mailWorld } from './harness.js';

describe('gmail-threads save chunks', () => {
    it('cuts chunks by JSON size as well as by count, each chunk within its byte budget', () => {
        const chunks = new SaveChunks<string>({ maxCount: 3, maxBytes: 30 });
        const ready: string[][] = [];
        for (const record of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'd', 'e', 'f', 'g']) {
            const chunk = chunks.add(record, jsonBytes(record));
            if (chunk) ready.push(chunk);
        }
        ready.push(chunks.take());
        // Three 10-byte records need 2 + 10 + 1 + 10 + 1 + 10 = 34 bytes: the third starts a new chunk.
        expect(ready).toEqual([
            ['aaaaaaaa', 'bbbbbbbb'],
            ['cccccccc', 'd', 'e'],
            ['f', 'g']
        ]);
        for (const chunk of ready) expect(jsonBytes(chunk)).toBeLessThanOrEqual(30);
        expect(chunks.fits(28)).toBe(true);
        expect(chunks.fits(29)).toBe(false);
    });

    it('never sends one save over the records service limit, even for threads with huge HTML bodies', async () => {
        const world = mailWorld({ threads: 1, quota: false });
        // 12 threads of about 8 MB of HTML each: about 96 MB of JSON, over 90 MB in one chunk of 100.
        const line = `<p>${'x'.repeat(1000)}</p>\r\n`;
        const html = line.repeat(Math.ceil((8 * 1024 * 1024) / line.length));
        for (let i = 0; i < 12; i += 1) {
            world.sim.mailbox.insert({
                threadId: undefined,
                internalDate: world.clock.now() - i * 1000,
                labelIds: world.sim.mailbox.labels.intern(['INBOX']),
                seed: 0,
                position: 0,
                fromOwner: false,
                raw: `From: big@example.com\r\nTo: ${world.sim.emailAddress}\r\nSubject: Big ${i}\r\nMessage-ID: <big-${i}@example.com>\r\nDate: Thu, 15 Jan 2026 11:00:00 +0000\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n${html}`,
                rfcMessageId: `<big-${i}@example.com>`
            });
        }
        const saves: number[] = [];
        const saveRecords = world.store.saveRecords.bind(world.store);
        world.store.saveRecords = (...args: Parameters<typeof saveRecords>) => {
            saves.push(jsonBytes(args[2]));
            return saveRecords(...args);
        };
        const result = await world.sync();
        expect(result.status).toBe('success');
        expect(saves.length).toBeGreaterThanOrEqual(2);
        for (const size of saves) expect(size).toBeLessThanOrEqual(SAVE_MAX_BYTES);
        expect(saves.length).toBeLessThan(SAVE_CHUNK);
        expect(world.store.countLive(conn, 'GmailThread')).toBe(13);
        expect(world.verdict().ok).toBe(true);
    });
});
