import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../runtime/sandbox.js';

/** Runs a command to its end with stdout and stderr captured together, for the CLI runs of conformance and recordings. */
export function runCaptured(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    cwd: string = REPO_ROOT
): Promise<{ code: number | null; output: string }> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolvePromise({ code, output }));
    });
}
