import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { CommanderError } from 'commander';
import { buildProgram } from '../../runner/program.js';

export const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'node_modules', '.bin');

export interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
    /** stdout and stderr together, for "never appears anywhere" checks. */
    all: string;
}

/** A fresh NANGO_LOCAL_DIR: every test group gets its own store file. */
export function freshLocalDir(): string {
    return mkdtempSync(join(tmpdir(), 'nango-local-test-'));
}

/**
 * Runs the real entry point as `npm start` does (tsx on runner/cli.ts, the Node 22 of node_modules/.bin first on
 * the PATH), with no terminal: stdin is /dev/null and stdout/stderr are pipes.
 */
export function runCli(
    args: string[],
    options: {
        localDir: string;
        env?: Record<string, string | undefined>;
        /** Close the read end of stdout after the first chunk, as `| head` does once it has its lines. */
        closeStdoutEarly?: boolean;
    }
): Promise<CliRun> {
    const env: Record<string, string | undefined> = {
        ...process.env,
        PATH: `${BIN}${delimiter}${process.env['PATH'] ?? ''}`,
        NANGO_LOCAL_DIR: options.localDir
    };
    // A live test must never find a real token in the developer's environment.
    for (const name of ['GOOGLE_ACCESS_TOKEN', 'SALESFORCE_ACCESS_TOKEN', 'SALESFORCE_INSTANCE_URL']) delete env[name];
    Object.assign(env, options.env ?? {});
    return new Promise((resolvePromise, reject) => {
        const child = spawn(join(BIN, 'tsx'), ['runner/cli.ts', ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk.toString('utf8');
            if (options.closeStdoutEarly) child.stdout.destroy();
        });
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => resolvePromise({ code, stdout, stderr, all: stdout + stderr }));
    });
}

/** The counts of the last finished sync line: `done: +A ~U -D`. */
export function syncCounts(output: string): { added: number; updated: number; deleted: number } {
    const matches = [...output.matchAll(/done: \+([\d,]+) ~([\d,]+) -([\d,]+)/g)];
    const last = matches[matches.length - 1];
    if (!last) throw new Error(`no finished sync in the output:\n${output}`);
    const n = (text: string | undefined) => Number((text ?? '').replace(/,/g, ''));
    return { added: n(last[1]), updated: n(last[2]), deleted: n(last[3]) };
}

/**
 * The runner's command line parsed in this process, for what is about argument handling and help rather than a run:
 * commander's output is captured and its exits become the returned code (e.g. `commander.helpDisplayed`).
 */
export async function parseInProcess(args: string[]): Promise<{ exit: string | null; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const argv = ['node', 'runner/cli.ts', ...args];
    const program = await buildProgram(argv, {
        exitOverride: true,
        output: { writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) }
    });
    try {
        await program.parseAsync(argv);
        return { exit: null, stdout, stderr };
    } catch (err) {
        if (err instanceof CommanderError) return { exit: err.code, stdout, stderr };
        throw err;
    }
}
