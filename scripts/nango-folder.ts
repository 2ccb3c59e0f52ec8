/**
 * What the repository tooling (manifest, deploy) needs to know about the Nango folder and the local nango CLI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const NANGO_DIR = path.join(ROOT, 'nango-integrations');
export const MODELS_FILE = path.join(ROOT, 'models.ts');

export interface EntryPoint {
    /** First path segment: the integration id (providerConfigKey) in a Nango environment. */
    integration: string;
    /** Second segment, e.g. `syncs` or `actions`. */
    kind: string;
    /** The file's base name: the script name. */
    name: string;
    /** Absolute path of the TypeScript source. */
    file: string;
}

// The same pattern `nango compile` uses to find the scripts (node_modules/nango/dist/zeroYaml/constants.js).
const IMPORT_LINE = /^import ['"](?<path>\.\/[^'"]+)['"];?/gm;

/** The scripts `index.ts` lists, in its order. */
export function readEntryPoints(nangoDir = NANGO_DIR): EntryPoint[] {
    const index = fs.readFileSync(path.join(nangoDir, 'index.ts'), 'utf8');
    const entries: EntryPoint[] = [];
    for (const match of index.matchAll(IMPORT_LINE)) {
        const relative = match.groups?.['path'];
        if (!relative) {
            continue;
        }
        const segments = relative.replace(/^\.\//, '').split('/');
        const [integration, kind] = segments;
        const base = segments.at(-1);
        if (!integration || !kind || !base || segments.length < 3) {
            throw new Error(`index.ts imports ${relative}: expected ./<integration>/<syncs|actions>/<name>.js`);
        }
        entries.push({
            integration,
            kind,
            name: base.replace(/\.(js|ts)$/, ''),
            file: path.join(nangoDir, relative.replace(/\.js$/, '.ts'))
        });
    }
    return entries;
}

function newestTsFile(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === 'node_modules' || entry.name === 'build' || entry.name === 'dist' || entry.name.startsWith('.')) {
            continue;
        }
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            newest = Math.max(newest, newestTsFile(full));
        } else if (entry.name.endsWith('.ts')) {
            newest = Math.max(newest, fs.statSync(full).mtimeMs);
        }
    }
    return newest;
}

/** True when `.nango/nango.json` is missing or older than a script, a helper or models.ts. */
export function compileIsStale(nangoDir = NANGO_DIR, modelsFile = MODELS_FILE): boolean {
    const manifest = path.join(nangoDir, '.nango', 'nango.json');
    if (!fs.existsSync(manifest)) {
        return true;
    }
    const compiledAt = fs.statSync(manifest).mtimeMs;
    const sources = Math.max(newestTsFile(nangoDir), fs.existsSync(modelsFile) ? fs.statSync(modelsFile).mtimeMs : 0);
    return sources > compiledAt;
}

/** The local CLI's entry file: run with this very Node (22, from the `node` devDependency), never a global nango. */
export function nangoCli(): string {
    const require = createRequire(path.join(ROOT, 'package.json'));
    return path.join(path.dirname(require.resolve('nango/package.json')), 'dist', 'index.js');
}

/**
 * Environment for the nango CLI: no dependency rewrite, no telemetry, and no version check against the npm
 * registry (it runs before every command unless CI is set).
 */
export function nangoEnv(extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return {
        ...base,
        NANGO_CLI_DEPENDENCY_UPDATE: 'false',
        NANGO_CLI_TELEMETRY: 'false',
        NANGO_CLI_UPGRADE_MODE: 'ignore',
        ...extra
    };
}

/** Runs the local nango CLI in `cwd` with inherited output; resolves to its exit code. */
export function runNango(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [nangoCli(), ...args], {
            cwd: options.cwd,
            env: options.env ?? nangoEnv(),
            stdio: ['ignore', 'inherit', 'inherit']
        });
        child.on('error', reject);
        child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
}

/** `nango compile` of the folder, unless `.nango/nango.json` is already newer than every source. */
export async function ensureCompiled(nangoDir = NANGO_DIR, modelsFile = MODELS_FILE): Promise<void> {
    if (!compileIsStale(nangoDir, modelsFile)) {
        return;
    }
    process.stderr.write(`${path.relative(ROOT, nangoDir)}/.nango/nango.json is missing or stale: running nango compile\n`);
    const code = await runNango(['compile', '--no-dependency-update', '--no-telemetry', '--no-interactive'], { cwd: nangoDir });
    if (code !== 0) {
        throw new Error(`nango compile failed (exit ${code})`);
    }
}
