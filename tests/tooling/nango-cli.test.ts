/**
 * The Nango CLI's own commands inside nango-integrations/ leave the tree as committed.
 *
 * Before each compile, dryrun, dev and deploy, the CLI reads nango-integrations/package.json
 * (node_modules/nango/dist/zeroYaml/check.js): when the file is missing, or its devDependencies are not
 * `nango` = the CLI's own version and `zod` = the zod of the CLI's example project (node_modules/nango/example), it
 * writes the file and runs `npm install` in the folder, unless CI is set or --no-dependency-update is given. The
 * committed file holds exactly those pins, so nothing is rewritten. `nango dev` also copies the example's
 * tsconfig.json into the folder on every start (zeroYaml/dev.js, syncTsConfig): the committed copy is identical.
 *
 * The plain compile runs with CI unset and no flags, as a developer types it, in a scratch git copy of the tracked
 * files, and preloads support/loopback-only.mjs: the CLI's version check (registry.npmjs.org) and telemetry
 * (api.nango.dev) are refused, and so would be an `npm install`. HOME points at the scratch folder, so the CLI's
 * state file (a device id) is not written into the developer's home.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NANGO_DIR, nangoCli, ROOT } from '../../scripts/nango-folder.js';

const GUARD = path.join(ROOT, 'tests/tooling/support/loopback-only.mjs');
const NANGO_PACKAGE = path.dirname(path.dirname(nangoCli()));

function readJson(file: string): { devDependencies?: Record<string, string>; version?: string } {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { devDependencies?: Record<string, string>; version?: string };
}

function git(cwd: string, args: string[]): string {
    const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
}

describe("the pins nango's CLI checks", () => {
    const cliVersion = readJson(path.join(NANGO_PACKAGE, 'package.json')).version!;
    const exampleZod = readJson(path.join(NANGO_PACKAGE, 'example', 'package.json')).devDependencies!['zod']!;

    it('nango-integrations/package.json pins nango to the CLI installed and zod to the one the CLI ships with', () => {
        expect(readJson(path.join(NANGO_DIR, 'package.json')).devDependencies).toEqual({ nango: cliVersion, zod: exampleZod });
    });

    it('the root package.json installs those same versions, so the scripts compile against what the CLI expects', () => {
        const root = readJson(path.join(ROOT, 'package.json')).devDependencies!;
        expect({ nango: root['nango'], zod: root['zod'] }).toEqual({ nango: cliVersion, zod: exampleZod });
    });

    it("nango-integrations/tsconfig.json is byte for byte the example's, which `nango dev` writes on every start", () => {
        expect(fs.readFileSync(path.join(NANGO_DIR, 'tsconfig.json'), 'utf8')).toBe(
            fs.readFileSync(path.join(NANGO_PACKAGE, 'example', 'tsconfig.json'), 'utf8')
        );
    });
});

describe('a plain `nango compile` in nango-integrations/', () => {
    let scratch = '';
    let result: { code: number | null; output: string };

    beforeAll(async () => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nango-cli-'));
        const tracked = git(ROOT, ['ls-files', '-z', '--', 'nango-integrations', 'models.ts', 'package.json', '.gitignore'])
            .split('\0')
            .filter((file) => file !== '' && fs.existsSync(path.join(ROOT, file)));
        for (const file of tracked) {
            fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
            fs.copyFileSync(path.join(ROOT, file), path.join(scratch, file));
        }
        git(scratch, ['init', '-q']);
        // The scripts and the CLI resolve their packages from the repository's node_modules, as in a clone.
        fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
        fs.appendFileSync(path.join(scratch, '.git', 'info', 'exclude'), '/node_modules\n/home/\n');
        git(scratch, ['add', '-A']);
        git(scratch, ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'tracked files']);

        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const name of Object.keys(env)) if (name === 'CI' || name.startsWith('NANGO_')) delete env[name];
        Object.assign(env, {
            HOME: path.join(scratch, 'home'),
            XDG_CONFIG_HOME: path.join(scratch, 'home', '.config'),
            NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${pathToFileURL(GUARD).href}`.trim(),
            npm_config_update_notifier: 'false'
        });
        result = await new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [nangoCli(), 'compile'], {
                cwd: path.join(scratch, 'nango-integrations'),
                env,
                stdio: ['ignore', 'pipe', 'pipe']
            });
            let output = '';
            child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
            child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
            child.on('error', reject);
            child.on('close', (code) => resolve({ code, output }));
        });
    }, 300_000);

    afterAll(() => {
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('compiles without updating dependencies', () => {
        expect(result.code, result.output).toBe(0);
        expect(result.output).toContain('Compiled');
        expect(result.output).not.toContain('out of date');
        // Only the CLI's version check and telemetry reach for the network, and both are refused here.
        for (const line of result.output.split('\n').filter((l) => l.startsWith('LOOPBACK-GUARD'))) {
            expect(line).toMatch(/refused a connection to (registry\.npmjs\.org|api\.nango\.dev):443$/);
        }
    });

    it('leaves `git status` clean: no package.json, lock, node_modules or tsconfig written', () => {
        expect(git(scratch, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
        expect(fs.existsSync(path.join(scratch, 'nango-integrations', '.nango', 'nango.json'))).toBe(true);
    });
});
