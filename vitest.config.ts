import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['tests/**/*.test.ts'],
        setupFiles: ['tests/support/setup.ts'],
        globalSetup: ['tests/support/global-setup.ts'],
        // Scenario tests run whole syncs over simulated mailboxes; the default 5 s is too tight on 2 cores.
        testTimeout: 60_000,
        hookTimeout: 60_000,
        pool: 'forks',
        // Vitest's default is one worker per core but one, so a single worker on 2 cores, which then sits idle while
        // its test waits on a child process (tsx, nango) or the runner's simulated latency. Two keep both cores busy.
        maxWorkers: Math.max(2, availableParallelism() - 1)
    }
});
