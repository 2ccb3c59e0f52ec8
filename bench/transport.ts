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
