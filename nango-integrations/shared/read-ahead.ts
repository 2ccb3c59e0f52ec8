/**
 * Reading one page ahead of the script: while the script maps and saves page k, the request for page k+1 is already
 * on its way, so a listing costs about max(request, save) a page instead of their sum. At most one page waits, so
 * memory stays bounded by two pages. The page read ahead is handed over only when the script asks for it, so
 * checkpoints still follow the data they cover, in order.
 */

type Settled<T> = { ok: true; result: IteratorResult<T> } | { ok: false; error: unknown };

function settle<T>(promise: Promise<IteratorResult<T>>): Promise<Settled<T>> {
    return promise.then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error })
    );
}

/**
 * One turn of the event loop: the next item's request goes through several promise hops (the pace, the SDK, the
 * HTTP client) before it is sent, and the script's work on the current item, synchronous once it starts, would
 * otherwise run first and hold the request back by as long as that work takes. The script's setTimeout (Nango's
 * sandbox provides it) runs once every pending promise job has, by then the request is out or waiting on the pace.
 */
function onTheWire(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The items of `source`, each requested as soon as the one before it is handed out. A failure of the item read
 * ahead is raised when the script asks for that item, as if it had been requested then (same error, after the same
 * retries). When the script stops early, the request in flight is awaited and its outcome dropped, so no request of
 * the listing outlives it.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
    const iterator = source[Symbol.asyncIterator]();
    let pending: Promise<Settled<T>> | null = settle(iterator.next());
    try {
        for (;;) {
            const settled: Settled<T> = await pending;
            pending = null;
            if (!settled.ok) throw settled.error;
            if (settled.result.done) return;
            pending = settle(iterator.next());
            await onTheWire();
            yield settled.result.value;
        }
    } finally {
        if (pending !== null) {
            const last = await pending;
            if (last.ok && !last.result.done) await iterator.return?.(undefined);
        }
    }
}
