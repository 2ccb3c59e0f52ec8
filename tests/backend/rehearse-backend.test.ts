/**
 * `npm start -- rehearse --backend`, in process on a virtual clock: the local Nango API's webhooks move the mirror
 * through the backend's receiver, and the verdict holds; a mirror that loses a write makes it fail.
 */
import { http, passthrough } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteMirrorStore, type MirrorTx } from '../../backend/src/index.js';
import { rehearseBackend } from '../../runner/commands/rehearse-backend.js';
import { VirtualClock } from '../../runtime/clock.js';
import { server } from '../support/msw.js';

beforeEach(() => {
    // The local API and the receiver listen on ephemeral loopback ports; nothing else may be reached.
    server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
});

/** A product database that silently drops the write of the message the rehearsal sends. */
class LosingStore extends SqliteMirrorStore {
    override transaction<T>(work: (tx: MirrorTx) => Promise<T>): Promise<T> {
        return super.transaction((tx) =>
            work({
                ...tx,
                cursorState: (key) => tx.cursorState(key),
                setCursorState: (key, state) => tx.setCursorState(key, state),
                getRow: (key, id) => tx.getRow(key, id),
                liveRowsUnseenBy: (key, passId) => tx.liveRowsUnseenBy(key, passId),
                enqueue: (hooks, change, dueAt) => tx.enqueue(hooks, change, dueAt),
                putRow: async (key, row) => {
                    if (JSON.stringify(row).includes('Backend rehearsal: the numbers')) return;
                    await tx.putRow(key, row);
                }
            })
        );
    }
}

describe('rehearse --backend', () => {
    it('passes: webhooks, mirror, send-email, a forged webhook refused, pruning outlived, mirror = cache = provider', async () => {
        const lines: string[] = [];
        const code = await rehearseBackend({ clock: new VirtualClock(Date.now()), out: (line) => lines.push(line) });
        const text = lines.join('\n');
        expect(text).not.toMatch(/FAIL/);
        expect(code).toBe(0);
        expect(text).toMatch(/webhook GmailThread INITIAL \+\d+/);
        expect(text).toMatch(/webhook GmailThread INCREMENTAL \+1 /);
        expect(text).toMatch(/signed with another key: 401, nothing done/);
        expect(text).toMatch(/GmailThread: Nango's records API answers (\d+) of \1 pruned/);
        expect(text).toMatch(/^GmailThread\s+(\d+)\s+\1\s+\1\s+OK\s+OK\s+OK$/m);
        expect(text).toMatch(/^PASS/m);
    });

    it('exits 1 when the mirror lost a write', async () => {
        const lines: string[] = [];
        const code = await rehearseBackend({
            clock: new VirtualClock(Date.now()),
            out: (line) => lines.push(line),
            openMirrorStore: (path) => new LosingStore(path)
        });
        expect(code).toBe(1);
        expect(lines.join('\n')).toMatch(/FAIL .*holds message/);
        expect(lines.join('\n')).toMatch(/GmailThread: the mirror differs/);
    });
});
