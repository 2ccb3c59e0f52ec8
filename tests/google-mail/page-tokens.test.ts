import { describe, expect, it } from 'vitest';
import { PageTokenGuard, resumedPages } from '../../nango-integrations/shared/page-tokens.js';

class Refused extends Error {}

/** A listing of three pages whose stored token `stale` the provider refuses. */
function listing(log: (string | null)[]) {
    return async function* pages(pageToken: string | null): AsyncGenerator<string> {
        log.push(pageToken);
        if (pageToken === 'stale') throw new Refused('400 Invalid pageToken');
        const start = pageToken === null ? 1 : Number(pageToken);
        for (let page = start; page <= 3; page += 1) yield `page ${page}`;
    };
}

async function collect(pageToken: string | null, pages: (token: string | null) => AsyncGenerator<string>) {
    const restarts: unknown[] = [];
    const out: string[] = [];
    for await (const page of resumedPages(pageToken, {
        pages,
        isRefusedToken: (error) => error instanceof Refused,
        onRestart: async (error) => {
            restarts.push(error);
            await Promise.resolve();
        }
    }))
        out.push(page);
    return { out, restarts };
}

describe('shared page tokens', () => {
    it('the guard throws when a listing hands back a token it already gave, and ignores empty tokens', () => {
        const guard = new PageTokenGuard('threads.list');
        guard.check(null);
        guard.check('');
        guard.check('a');
        guard.check('b');
        expect(() => guard.check('a')).toThrow(/threads\.list: the provider returned page token a twice/);
    });

    it('a stored token refused on the first request restarts the listing from its first page, once', async () => {
        const calls: (string | null)[] = [];
        const { out, restarts } = await collect('stale', listing(calls));
        expect(out).toEqual(['page 1', 'page 2', 'page 3']);
        expect(restarts).toHaveLength(1);
        expect(calls).toEqual(['stale', null]);
    });

    it('a token that is not stored (first page), a refusal after a page was served, or another error are thrown', async () => {
        const fresh = async function* (): AsyncGenerator<string> {
            yield* [];
            throw new Refused('refused without a stored token');
        };
        await expect(collect(null, fresh)).rejects.toThrow(/without a stored token/);
        const calls: (string | null)[] = [];
        const failLater = async function* (token: string | null): AsyncGenerator<string> {
            calls.push(token);
            yield 'page 1';
            throw new Refused('refused on page 2');
        };
        await expect(collect('2', failLater)).rejects.toThrow(/page 2/);
        expect(calls).toEqual(['2']);
        const other = async function* (): AsyncGenerator<string> {
            yield* [];
            throw new Error('HTTP 500');
        };
        await expect(collect('2', other)).rejects.toThrow(/HTTP 500/);
    });
});
