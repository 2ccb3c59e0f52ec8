import { expect, it } from 'vitest';

it('refuses a request that no simulator handles, so no test reaches the real internet', async () => {
    await expect(fetch('https://example.com/anything')).rejects.toThrow();
});
