import { describe, expect, it } from 'vitest';
import { freshLocalDir, runCli } from '../runner/cli-process.js';

// `npm start -- serve` refuses, before it listens, what would expose the API or could never be a Nango key.

describe('npm start -- serve', () => {
    it('refuses a host beyond the loopback', async () => {
        const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { localDir: freshLocalDir() });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/--host 0\.0\.0\.0: the local Nango API listens on loopback only/);
    });

    it('refuses a NANGO_LOCAL_SECRET_KEY that is not a UUID v4', async () => {
        const run = await runCli(['serve', '--port', '0'], { localDir: freshLocalDir(), env: { NANGO_LOCAL_SECRET_KEY: 'secret' } });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/NANGO_LOCAL_SECRET_KEY: the secret key must be a UUID v4/);
    });

    it('refuses a --webhook-url that is not http(s) and a --clock-offset that is not a duration', async () => {
        const url = await runCli(['serve', '--port', '0', '--webhook-url', 'ftp://127.0.0.1/hook'], { localDir: freshLocalDir() });
        expect(url.code).toBe(1);
        expect(url.stderr).toMatch(/--webhook-url must be http\(s\)/);
        const offset = await runCli(['serve', '--port', '0', '--clock-offset', 'forty days'], { localDir: freshLocalDir() });
        expect(offset.code).toBe(1);
        expect(offset.stderr).toMatch(/--clock-offset: "forty days" is not a duration/);
    });
});
