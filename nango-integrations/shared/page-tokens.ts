/**
 * Page tokens, for every provider's list iterators: one guard against a provider handing back a token it already
 * gave (a listing that would never end), and one recovery for a token kept across executions that the provider no
 * longer accepts.
 *
 * A token stored in a checkpoint can go stale: Google lets list page tokens expire "a reasonable time" after they
 * were handed out (three days as a rule of thumb) without documenting it per API, and refuses them with 400
 * INVALID_ARGUMENT (AIP-158, "Expiring page tokens", https://google.aip.dev/158). Nothing is lost by listing again
 * from the first page: every save is an upsert, so what the earlier pages already saved is saved again, unchanged.
 */

/** A listing handed back a page token it gave before: it would never end. A class, so a caller can tell it apart. */
export class RepeatedPageTokenError extends Error {}

/** Throws a RepeatedPageTokenError when a listing returns a page token it returned before. */
export class PageTokenGuard {
    private readonly seen = new Set<string>();

    /** `listing` names the listing in the error, e.g. `threads.list`. */
    constructor(private readonly listing: string) {}

    check(token: string | null | undefined): void {
        if (!token) return;
        if (this.seen.has(token))
            throw new RepeatedPageTokenError(
                `${this.listing}: the provider returned page token ${token} twice; stopping rather than looping`
            );
        this.seen.add(token);
    }
}

export interface ResumedListing<Page> {
    /** The listing's pages from `pageToken` (null: from its first page) to its last. */
    pages: (pageToken: string | null) => AsyncIterable<Page>;
    /** Whether the error is the provider refusing the page token itself (expired, or no longer valid). */
    isRefusedToken: (error: unknown) => boolean;
    /** Called once before the listing starts over: log why, and forget the stored token (checkpoint state). */
    onRestart: (error: unknown) => Promise<void>;
}

/**
 * The pages of a listing resumed from `pageToken`. If the provider refuses the token on the very first request, the
 * listing starts again from its first page, once; any other failure, or a refusal later on, is thrown as it is.
 */
export async function* resumedPages<Page>(pageToken: string | null, listing: ResumedListing<Page>): AsyncGenerator<Page> {
    let served = false;
    try {
        for await (const page of listing.pages(pageToken)) {
            served = true;
            yield page;
        }
        return;
    } catch (error) {
        if (pageToken === null || served || !listing.isRefusedToken(error)) throw error;
        await listing.onRestart(error);
    }
    yield* listing.pages(null);
}
