import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['tests/**/*.test.ts'],
        setupFiles: ['tests/support/setup.ts'],
        globalSetup: ['tests/support/global-setup.ts'],
        // Scenario tests run whole syncs over simulated mailboxes; the default 5 s is too tight on 2 cores.
        testTimeout: 60_000,
        hookTimeout: 60_000,
        pool: 'forks'
    }
});
