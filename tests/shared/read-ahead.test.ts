import { describe, expect, it } from 'vitest';
import { readAhead } from '../../nango-integrations/shared/read-ahead.js';

/** A source that records when each item is requested and when its consumer has taken it. */
function source(items: number[], failAt?: number) {
    const events: string[] = [];
    let closed = false;
    async function* pages() {
        try {
            for (const item of items) {
                events.push(`request ${item}`);
                await Promise.resolve();
                if (item === failAt) throw new Error(`page ${item} failed`);
                yield item;
            }
        } finally {
            closed = true;
        }
    }
    return { events, pages, isClosed: () => closed };
}

describe('readAhead', () => {
    it('requests page k+1 while the consumer works on page k, never two ahead', async () => {
        const { events, pages } = source([1, 2, 3]);
        for await (const item of readAhead(pages())) {
            events.push(`work ${item}`);
            await new Promise((resolve) => setImmediate(resolve));
        }
        expect(events).toEqual(['request 1', 'request 2', 'work 1', 'request 3', 'work 2', 'work 3']);
    });

    it('lets the next request reach the wire before the consumer’s synchronous work on the current page', async () => {
        const events: string[] = [];
        async function* pages() {
            for (const item of [1, 2]) {
                // The pace, the SDK and the HTTP client: several promise hops before the request is sent.
                for (let hop = 0; hop < 20; hop++) await Promise.resolve();
                events.push(`sent ${item}`);
                yield item;
            }
        }
        for await (const item of readAhead(pages())) events.push(`work ${item}`);
        expect(events).toEqual(['sent 1', 'sent 2', 'work 1', 'work 2']);
    });

    it('raises the failure of the page read ahead when the consumer asks for it, not before', async () => {
        const { events, pages } = source([1, 2, 3], 2);
        const seen: number[] = [];
        await expect(
            (async () => {
                for await (const item of readAhead(pages())) {
                    seen.push(item);
                    events.push(`work ${item}`);
                }
            })()
        ).rejects.toThrow('page 2 failed');
        expect(seen).toEqual([1]);
        expect(events).toEqual(['request 1', 'request 2', 'work 1']);
    });

    it('waits for the request in flight and closes the source when the consumer stops early', async () => {
        const { pages, isClosed } = source([1, 2, 3]);
        for await (const item of readAhead(pages())) if (item === 1) break;
        expect(isClosed()).toBe(true);
    });
});
