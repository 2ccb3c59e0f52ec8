import { getResponse, type HttpHandler } from 'msw';
import type { Clock } from '../runtime/clock.js';

/**
 * An in-process `fetch` for the bench: each request waits the API's latency on the run's clock, then the
 * simulator's msw handlers answer it directly (msw's `getResponse`), without msw's socket-level interception.
 *
 * Why not msw's server, as the runner and the tests use: intercepting at the socket costs several milliseconds of
 * CPU per request (a TLS context, a mock socket, an HTTP parser), which would be measured as the script's time. The
 * handlers, and so the simulated API, are the same either way. While the simulator computes its answer, the clock
 * is paused if it can be (the provider's own work is part of the call's latency).
 */
export function inProcessFetch(options: {
    handlers: () => readonly HttpHandler[];
    clock: Clock & { pause?: () => () => void };
    latencyMs: number;
}): typeof fetch {
    return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const request = new Request(input, init);
        if (options.latencyMs > 0) await options.clock.sleep(options.latencyMs);
        const resume = options.clock.pause?.() ?? (() => undefined);
        let response: Response | undefined;
        try {
            response = await getResponse([...options.handlers()], request);
            if (response && response.type !== 'error') response = await onTheWire(response);
        } finally {
            resume();
        }
        if (!response)
            throw new TypeError(
                `fetch failed: no simulator answers ${request.method} ${request.url} (the bench never reaches the network)`
            );
        if (response.type === 'error') throw new TypeError('fetch failed: network error');
        return response;
    };
}

/**
 * The answer as its bytes would arrive: a simulator answers with a string body (msw's HttpResponse.json), which the
 * fetch Response encodes to UTF-8 only when the body is read, so without this the provider's encoding of a 2.7 MB
 * events page (several ms) would be charged to the script's reading of it. The reader still decodes the bytes and
 * parses the JSON, as the runner's HTTP client does with what comes off the socket.
 */
async function onTheWire(response: Response): Promise<Response> {
    // The fetch standard's null-body statuses take no body, not even an empty one.
    const body = response.body === null || [101, 103, 204, 205, 304].includes(response.status) ? null : await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
