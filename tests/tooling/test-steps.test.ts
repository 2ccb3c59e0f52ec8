import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/nango-folder.js';

/** scripts/test-steps.ts with a stand-in npm (npm_execpath) that fails the steps named in FAIL_STEPS. */
function runSteps(failSteps: string[]): Promise<{ code: number | null; output: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'test-steps-'));
    const fakeNpm = join(dir, 'npm.mjs');
    writeFileSync(
        fakeNpm,
        "const step = process.argv[3];\nconsole.log(`> pkg@1.0.0 ${step}`);\nprocess.exit(process.env.FAIL_STEPS.split(',').includes(step) ? 3 : 0);\n"
    );
    return new Promise((resolve, reject) => {
        const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/test-steps.ts'], {
            cwd: ROOT,
            env: { ...process.env, npm_execpath: fakeNpm, FAIL_STEPS: failSteps.join(',') },
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, output }));
    });
}

describe('npm test (scripts/test-steps.ts)', () => {
    it('runs every step in order, each ending with "ok <step> in N s", then one summary line', async () => {
        const { code, output } = await runSteps([]);
        expect(code).toBe(0);
        const lines = output.trim().split('\n');
        const steps = ['typecheck', 'compile', 'lint', 'manifest:check', 'test:unit'];
        expect(lines.filter((line) => line.startsWith('> '))).toEqual(steps.map((step) => `> pkg@1.0.0 ${step}`));
        expect(lines.filter((line) => line.startsWith('ok ')).map((line) => line.replace(/ in \d+ s$/, ''))).toEqual(
            steps.map((step) => `ok ${step}`)
        );
        expect(lines.at(-1)).toMatch(
            /^npm test passed in \d+ s: typecheck \d+ s, compile \d+ s, lint \d+ s, manifest:check \d+ s, test:unit \d+ s$/
        );
    });

    it('stops at the first step that fails, with its exit code, and names what passed and what did not run', async () => {
        const { code, output } = await runSteps(['lint']);
        expect(code).toBe(3);
        expect(output).toMatch(/^FAILED lint in \d+ s \(exit 3\)$/m);
        expect(output).not.toContain('manifest:check\n');
        expect(output.trim().split('\n').at(-1)).toMatch(
            /^npm test FAILED at lint after \d+ s; passed: typecheck \d+ s, compile \d+ s; not run: manifest:check, test:unit$/
        );
    });
});
