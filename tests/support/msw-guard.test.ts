import { expect, it, vi } from 'vitest';

it('refuses a request that no simulator handles, so no test reaches the real internet', async () => {
    // msw reports the unhandled request on console.error before refusing it: captured here, so a passing run prints
    // nothing, and asserted, so the report stays the one that names the request.
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
        await expect(fetch('https://example.com/anything')).rejects.toThrow();
        expect(printed).toHaveBeenCalledTimes(1);
        expect(String(printed.mock.calls[0]?.[0])).toMatch(/\[MSW\] Error: intercepted a request without a matching request handler/);
        expect(String(printed.mock.calls[0]?.[0])).toContain('GET https://example.com/anything');
    } finally {
        printed.mockRestore();
    }
});
