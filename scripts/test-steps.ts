/**
 * `npm test`: the README's one command. Runs the checks in order (`npm run <step>` each, so `.ci/run` still sees
 * npm's "> package@version step" lines) and stops at the first that fails. Each step ends with one line,
 * `ok <step> in N s` or `FAILED <step> in N s (exit C)`, and the run ends with one summary line.
 */
import { spawn } from 'node:child_process';

const STEPS = ['typecheck', 'compile', 'lint', 'manifest:check', 'test:unit'] as const;

function npmRun(step: string): Promise<number> {
    // Inside `npm test`, npm_execpath is the npm that runs us: the same one runs each step.
    const npm = process.env['npm_execpath'];
    const [command, prefix] = npm ? [process.execPath, [npm]] : ['npm', []];
    return new Promise((resolve, reject) => {
        const child = spawn(command, [...prefix, 'run', step], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
}

function seconds(ms: number): string {
    return `${Math.round(ms / 1000)} s`;
}

async function main(): Promise<number> {
    const started = performance.now();
    const done: string[] = [];
    for (const step of STEPS) {
        const stepStarted = performance.now();
        const code = await npmRun(step);
        const took = seconds(performance.now() - stepStarted);
        if (code !== 0) {
            process.stdout.write(`FAILED ${step} in ${took} (exit ${code})\n`);
            const skipped = STEPS.slice(STEPS.indexOf(step) + 1);
            process.stdout.write(
                `npm test FAILED at ${step} after ${seconds(performance.now() - started)}` +
                    `${done.length > 0 ? `; passed: ${done.join(', ')}` : ''}${skipped.length > 0 ? `; not run: ${skipped.join(', ')}` : ''}\n`
            );
            return code;
        }
        process.stdout.write(`ok ${step} in ${took}\n`);
        done.push(`${step} ${took}`);
    }
    process.stdout.write(`npm test passed in ${seconds(performance.now() - started)}: ${done.join(', ')}\n`);
    return 0;
}

process.exitCode = await main();
