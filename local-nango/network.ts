import { AsyncLocalStorage } from 'node:async_hooks';
import { getResponse, type HttpHandler } from 'msw';
import type { Simulator } from '../simulators/common/simulator.js';

/**
 * Where the local Nango API's outgoing provider calls go: to the simulators of the connection being served, in
 * this process. Nango's proxy runs inside Nango's server; here the proxy (and every sync or action the API runs)
 * calls the runtime's `fetch`, and this routes each call, by the connection whose request is being answered, to
 * that connection's simulators through msw's `getResponse` (the same handlers msw's interceptors use).
 *
 * Why not msw's `setupServer`: it intercepts every request of the process, the API's own clients included, and
 * it cannot tell two connections' simulators apart. Here each request carries its connection in an
 * AsyncLocalStorage, so two connections served at once never see each other's provider.
 *
 * A call made outside a served request goes to the fetch that was there before (in tests, msw's guard).
 */
export class SimulatedNetwork {
    private readonly current = new AsyncLocalStorage<readonly Simulator[]>();
    private previous: typeof fetch | undefined;

    install(): void {
        if (this.previous) return;
        const previous = globalThis.fetch;
        this.previous = previous;
        globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
            const sims = this.current.getStore();
            if (!sims) return previous(input, init);
            const request = new Request(input, init);
            const handlers: HttpHandler[] = sims.flatMap((sim) => sim.handlers);
            const response = await getResponse(handlers, request);
            if (!response) {
                // What fetch does when nothing answers: the proxy reads it as a network error, never a real call.
                throw new TypeError(
                    `fetch failed: no simulator answers ${request.method} ${request.url} (the local Nango API never reaches the internet)`,
                    {
                        cause: { code: 'ENOTFOUND' }
                    }
                );
            }
            if (response.type === 'error') throw new TypeError('fetch failed: network error', { cause: { code: 'ECONNRESET' } });
            return response;
        };
    }

    uninstall(): void {
        if (!this.previous) return;
        globalThis.fetch = this.previous;
        this.previous = undefined;
    }

    /** Runs `work` with its calls going out of the process (the webhooks the API sends to the product). */
    outside<T>(work: () => Promise<T>): Promise<T> {
        return this.current.exit(work);
    }

    /** Runs `work` with its provider calls answered by `sims`. */
    within<T>(sims: readonly Simulator[], work: () => Promise<T>): Promise<T> {
        return this.current.run(sims, work);
    }
}
