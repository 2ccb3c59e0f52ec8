import { describe, expect, it } from 'vitest';
import { freshLocalDir, runCli } from './cli-process.js';

/**
 * The commands as `npm start` runs them, on the one integration whose on-event scripts this branch holds
 * (salesforce): its simulated org answers them, and nothing of Gmail's or Calendar's push is needed.
 */
describe('npm start -- connect / disconnect / deliver', () => {
    it('connects and starts the syncs, refuses bad metadata without storing it, delivers nothing queued, and disconnects', async () => {
        const localDir = freshLocalDir();
        const connected = await runCli(['connect', 'salesforce'], { localDir });
        expect(connected.code).toBe(0);
        expect(connected.stdout).toMatch(/validate-connection validate-connection: success/);
        expect(connected.stdout).toMatch(/Salesforce connection created for integration\.user@acme\.example/);
        expect(connected.stdout).toMatch(/salesforce\/local: connected/);
        // Then, as Nango starts a new connection's auto-start syncs, the first run of each.
        expect(connected.stdout).toMatch(/salesforce-leads +run +success/);
        expect(connected.stdout).toMatch(/salesforce-opportunities +run +success/);

        const refused = await runCli(['connect', 'salesforce', '--connection', 'other', '--metadata', '{"modifiedSince":"soon"}'], {
            localDir
        });
        expect(refused.code).toBe(1);
        expect(refused.stdout).toMatch(
            /salesforce\/other: connection refused by validate-connection: Salesforce connection refused: Invalid connection metadata/
        );

        const delivered = await runCli(['deliver', 'salesforce'], { localDir });
        expect(delivered.code).toBe(0);
        expect(delivered.stdout).toMatch(/salesforce: nothing queued/);

        const gone = await runCli(['disconnect', 'salesforce'], { localDir });
        expect(gone.code).toBe(0);
        expect(gone.stdout).toMatch(/pre-connection-deletion pre-connection-deletion: success/);
        const again = await runCli(['disconnect', 'salesforce', '--connection', 'other'], { localDir });
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/no salesforce connection "other" to disconnect/);
    });
});
