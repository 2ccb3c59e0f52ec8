/**
 * `npm run deploy -- <environment> [--allow-destructive] [--dir <nango folder>]`: the one deploy entry, used by
 * people and by .github/workflows/deploy.yml.
 *
 * `nango deploy` itself exits 0 without deploying when the environment is missing (it prints its help) or when the
 * environment's key is unset (it prompts, and gives up on a closed stdin). So this wrapper refuses first, with a
 * message naming what is missing, and only then runs the local CLI: `nango deploy <env> --auto-confirm`, never
 * prompting, never updating dependencies, no telemetry, and its exit code is ours. A run that exits 0 without the CLI
 * reporting a deployment is treated as a failure too.
 *
 * Variables: NANGO_SECRET_KEY_<ENV> (required; <ENV> is the environment name upper-cased), NANGO_HOSTPORT (optional,
 * default Nango Cloud), ALLOW_DESTRUCTIVE=true (same as --allow-destructive: removing a sync, an action or a model).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NANGO_DIR, nangoCli, nangoEnv } from './nango-folder.js';

const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const USAGE = 'usage: npm run deploy -- <environment> [--allow-destructive] [--dir <nango folder>]   (environment: dev, prod, ...)';
const CLOUD = 'https://api.nango.dev';

export interface DeployRequest {
    environment: string;
    keyVariable: string;
    allowDestructive: boolean;
    dir: string;
}

export class Refusal extends Error {}

export function keyVariableFor(environment: string): string {
    return `NANGO_SECRET_KEY_${environment.toUpperCase()}`;
}

/** Validates the arguments and the environment; throws a Refusal naming what is missing. */
export function parseDeployRequest(argv: string[], env: NodeJS.ProcessEnv): DeployRequest {
    let environment: string | undefined;
    let allowDestructive = env['ALLOW_DESTRUCTIVE'] === 'true';
    let dir = NANGO_DIR;
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i]!;
        if (arg === '--allow-destructive') {
            allowDestructive = true;
        } else if (arg === '--dir') {
            const value = argv[i + 1];
            if (!value) {
                throw new Refusal(`--dir needs a folder\n${USAGE}`);
            }
            dir = path.resolve(value);
            i += 1;
        } else if (arg.startsWith('-')) {
            throw new Refusal(`unknown option ${arg}\n${USAGE}`);
        } else if (environment === undefined) {
            environment = arg;
        } else {
            throw new Refusal(`one environment only (got ${environment} and ${arg})\n${USAGE}`);
        }
    }
    if (!environment) {
        throw new Refusal(`no environment given: nothing deployed.\n${USAGE}`);
    }
    if (!ENVIRONMENT_NAME.test(environment)) {
        throw new Refusal(`"${environment}" is not a Nango environment name (lower-case letters, digits, - and _).\n${USAGE}`);
    }
    const keyVariable = keyVariableFor(environment);
    if (!env[keyVariable]?.trim()) {
        throw new Refusal(
            `${keyVariable} is not set or empty: it must hold the secret key of the Nango environment "${environment}" ` +
                `(Nango dashboard > Environment Settings). Nothing deployed.`
        );
    }
    return { environment, keyVariable, allowDestructive, dir };
}

/** The nango CLI's arguments: never prompt, never touch package.json, no telemetry. */
export function deployArgs(request: DeployRequest): string[] {
    const args = ['deploy', request.environment, '--auto-confirm', '--no-interactive', '--no-dependency-update', '--no-telemetry'];
    return request.allowDestructive ? [...args, '--allow-destructive'] : args;
}

/** The CLI's environment: this environment's key only, so a deploy to dev cannot pick up the prod key. */
function childEnv(request: DeployRequest, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const base = nangoEnv({ CI: 'true' }, env);
    for (const name of Object.keys(base)) {
        if (name.startsWith('NANGO_SECRET_KEY') && name !== request.keyVariable) {
            delete base[name];
        }
    }
    base[request.keyVariable] = env[request.keyVariable]!.trim();
    return base;
}

function stripAnsi(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** Runs `nango deploy`, forwarding its output line by line with the key masked; resolves to exit code and output. */
function runDeploy(request: DeployRequest, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
    const args = deployArgs(request);
    const childEnvironment = childEnv(request, env);
    const secret = childEnvironment[request.keyVariable]!;
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [nangoCli(), ...args], {
            cwd: request.dir,
            env: childEnvironment,
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let output = '';
        const forward = (stream: NodeJS.ReadableStream, sink: NodeJS.WriteStream): void => {
            let pending = '';
            stream.setEncoding('utf8');
            stream.on('data', (chunk: string) => {
                pending += chunk;
                const lines = pending.split('\n');
                pending = lines.pop() ?? '';
                for (const line of lines) {
                    const masked = line.split(secret).join('***');
                    output += `${masked}\n`;
                    sink.write(`${masked}\n`);
                }
            });
            stream.on('end', () => {
                if (pending) {
                    const masked = pending.split(secret).join('***');
                    output += masked;
                    sink.write(masked);
                }
            });
        };
        forward(child.stdout, process.stdout);
        forward(child.stderr, process.stderr);
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
    });
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
    let request: DeployRequest;
    try {
        request = parseDeployRequest(argv, env);
    } catch (error) {
        if (error instanceof Refusal) {
            process.stderr.write(`deploy refused: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
    const host = env['NANGO_HOSTPORT'] || CLOUD;
    process.stdout.write(
        `Deploying ${path.relative(process.cwd(), request.dir) || request.dir} to the Nango environment "${request.environment}" at ${host}` +
            `${request.allowDestructive ? ' (destructive changes allowed)' : ''}\n`
    );
    const { code, output } = await runDeploy(request, env);
    if (code !== 0) {
        process.stderr.write(`deploy failed: nango deploy exited with ${code}\n`);
        return code;
    }
    if (!/Successfully (deployed|removed)/.test(stripAnsi(output))) {
        process.stderr.write('deploy failed: nango deploy exited 0 but reported no deployment\n');
        return 1;
    }
    process.stdout.write(`deployed to "${request.environment}"\n`);
    return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    main(process.argv.slice(2), process.env).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`deploy: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        }
    );
}
