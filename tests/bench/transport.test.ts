import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { inProcessFetch } from '../../bench/transport.js';

describe('bench in-process transport', () => {
    it('has the simulator’s answer turned into bytes while the clock is paused, not when the script reads it', async () => {
        let paused = false;
        const pulls: boolean[] = [];
        const clock = {
            now: () => 0,
            sleep: () => Promise.resolve(),
            pause: () => {
                paused = true;
                return () => {
                    paused = false;
                };
            }
        };
        // Like a string body, produced only when read (no chunk is pulled ahead).
        const body = () =>
            new ReadableStream<Uint8Array>(
                {
                    pull(controller) {
                        pulls.push(paused);
                        controller.enqueue(new TextEncoder().encode('{"items":[]}'));
                        controller.close();
                    }
                },
                { highWaterMark: 0 }
            );
        const handlers = [http.get('https://api.example.test/page', () => new HttpResponse(body(), { status: 200 }))];
        const fetch = inProcessFetch({ handlers: () => handlers, clock, latencyMs: 100 });
        const response = await fetch('https://api.example.test/page');
        expect(paused).toBe(false);
        expect(await response.json()).toEqual({ items: [] });
        expect(pulls).toEqual([true]);
    });

    it('passes statuses without a body through', async () => {
        const clock = { now: () => 0, sleep: () => Promise.resolve(), pause: () => () => undefined };
        const handlers = [http.delete('https://api.example.test/item', () => new HttpResponse(null, { status: 204 }))];
        const fetch = inProcessFetch({ handlers: () => handlers, clock, latencyMs: 0 });
        const response = await fetch('https://api.example.test/item', { method: 'DELETE' });
        expect(response.status).toBe(204);
        expect(await response.text()).toBe('');
    });
});
