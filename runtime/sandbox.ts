import * as crypto from 'crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';
import * as url from 'url';
import { build } from 'esbuild';
import * as nangoScripts from 'nango';
import * as zod from 'zod';
import type { Clock } from './clock.js';

/**
 * Loads a script the way Nango's workers do: one CommonJS bundle per script, executed in a `node:vm` context that
 * holds only the sandbox's globals (the list in `nango dryrun`'s dryrun.service.js and the runner's exec.ts).
 * Everything else a script might reach for (`fetch`, `process`, `TextEncoder`, `node:crypto`...) is absent, so a
 * script that depends on it fails here, not after deploy. `setTimeout` and `Date` follow the run's clock.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const INTEGRATIONS_DIR = join(REPO_ROOT, 'nango-integrations');

/** The folders of a Nango integration: `on-events/` holds createOnEvent scripts (the CLI's deploy reads them there). */
export type ScriptKind = 'syncs' | 'actions' | 'on-events';

/** The object a script's `export default createSync/createAction/createOnEvent(...)` produces. */
export interface ScriptDefinition {
    type: 'sync' | 'action' | 'onEvent';
    exec: (nango: unknown, input?: unknown) => Promise<unknown>;
    models?: Record<string, zod.ZodType>;
    input?: zod.ZodType;
    output?: zod.ZodType;
    checkpoint?: zod.ZodType;
    metadata?: zod.ZodType;
    version?: string;
    /** Syncs: the sync's webhook function and the webhook types it takes. */
    onWebhook?: (nango: unknown, payload: unknown) => Promise<unknown>;
    webhookSubscriptions?: string[];
    /** On-event scripts: which connection event runs them. */
    event?: string;
    [key: string]: unknown;
}

export interface LoadScriptOptions {
    integration: string;
    kind: ScriptKind;
    name: string;
    clock: Clock;
    /** `source` bundles the TypeScript with esbuild; `compiled` runs what `nango compile` wrote to build/. */
    from?: 'source' | 'compiled' | undefined;
    /** The Nango folder; defaults to the repository's nango-integrations/. */
    integrationsDir?: string | undefined;
    /** Receives what the script prints with `console` (the dryrun sandbox has one; Nango's runner discards it). */
    onConsole?: ((level: string, message: string) => void) | undefined;
}

export interface LoadedScript {
    file: string;
    definition: ScriptDefinition;
}

const ALLOWED_MODULES: Record<string, unknown> = { url, crypto, zod, nango: nangoScripts };
/** Offered by Nango's sandbox but not installed here; no script of ours uses them. */
const NOT_INSTALLED = ['unzipper', 'soap', 'botbuilder'];

export function scriptSourcePath(integrationsDir: string, integration: string, kind: ScriptKind, name: string): string {
    return join(integrationsDir, integration, kind, `${name}.ts`);
}

/** `nango compile` writes `build/<integration>_<syncs|actions|on-events>_<name>.cjs` (zeroYaml/compile.js tsToJsPath). */
export function compiledBundlePath(integrationsDir: string, integration: string, kind: ScriptKind, name: string): string {
    return join(integrationsDir, 'build', `${integration}_${kind}_${name}.cjs`);
}

export async function loadScript(options: LoadScriptOptions): Promise<LoadedScript> {
    const dir = options.integrationsDir ?? INTEGRATIONS_DIR;
    const from = options.from ?? 'source';
    const file =
        from === 'source'
            ? scriptSourcePath(dir, options.integration, options.kind, options.name)
            : compiledBundlePath(dir, options.integration, options.kind, options.name);
    const script = from === 'source' ? await compiledSource(file) : await compiledBundle(file);
    const definition = runInSandbox(script, { file, clock: options.clock, onConsole: options.onConsole ?? (() => undefined) });
    return { file, definition };
}

// -------------------------------------------------------------------------------------------------------------
// Bundling, cached per entry file and the modification times of everything it imports
// -------------------------------------------------------------------------------------------------------------

interface CachedScript {
    inputs: { path: string; mtimeMs: number }[];
    script: vm.Script;
}

const cache = new Map<string, CachedScript>();

async function stillFresh(entry: CachedScript): Promise<boolean> {
    for (const input of entry.inputs) {
        const s = await stat(input.path).catch(() => null);
        if (!s || s.mtimeMs !== input.mtimeMs) return false;
    }
    return true;
}

async function compiledSource(file: string): Promise<vm.Script> {
    const cached = cache.get(file);
    if (cached && (await stillFresh(cached))) return cached.script;
    const { code, inputs } = await bundle(file);
    const script = wrap(code, file);
    const mtimes = await Promise.all(inputs.map(async (path) => ({ path, mtimeMs: (await stat(path)).mtimeMs })));
    cache.set(file, { inputs: mtimes, script });
    return script;
}

async function compiledBundle(file: string): Promise<vm.Script> {
    const key = `compiled:${file}`;
    const cached = cache.get(key);
    if (cached && (await stillFresh(cached))) return cached.script;
    const s = await stat(file).catch(() => null);
    if (!s) throw new Error(`No compiled bundle at ${file}: run \`npm run compile\` first`);
    const script = wrap(await readFile(file, 'utf8'), file);
    cache.set(key, { inputs: [{ path: file, mtimeMs: s.mtimeMs }], script });
    return script;
}

/** The esbuild options of `nango compile` (node_modules/nango/dist/zeroYaml/compile.js), minus its lint plugin. */
export async function bundle(file: string): Promise<{ code: string; inputs: string[] }> {
    const result = await build({
        entryPoints: [file],
        bundle: true,
        format: 'cjs',
        target: 'esnext',
        platform: 'node',
        logLevel: 'silent',
        treeShaking: true,
        write: false,
        metafile: true,
        tsconfigRaw: { compilerOptions: {} },
        plugins: [
            {
                // Every package import stays a `require` for the sandbox to answer, as in Nango's bundles.
                name: 'external-packages',
                setup(b) {
                    b.onResolve({ filter: /^[^./\s]/ }, (args) => (args.path.startsWith('/') ? null : { path: args.path, external: true }));
                }
            }
        ]
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error(`esbuild produced nothing for ${file}`);
    const cwd = process.cwd();
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(cwd, p));
    return { code: output.text, inputs };
}

function wrap(code: string, filename: string): vm.Script {
    // The same wrapper as `nango dryrun`: a CommonJS module object, no real `require` or `module` from Node.
    return new vm.Script(
        `(function() { var module = { exports: {} }; var exports = module.exports; ${code}\nreturn module.exports;\n})();`,
        {
            filename
        }
    );
}

// -------------------------------------------------------------------------------------------------------------
// The context
// -------------------------------------------------------------------------------------------------------------

export function runInSandbox(
    script: vm.Script,
    options: { file: string; clock: Clock; onConsole: (level: string, message: string) => void }
): ScriptDefinition {
    const globals: Record<string, unknown> = {
        console: sandboxConsole(options.onConsole),
        require: sandboxRequire,
        Buffer,
        setTimeout: clockSetTimeout(options.clock),
        Error,
        URL,
        URLSearchParams,
        Date: clockDate(options.clock)
    };
    Object.setPrototypeOf(globals, null);
    const context = vm.createContext(globals, { codeGeneration: { strings: false, wasm: false } });
    const exported = script.runInContext(context) as { default?: unknown };
    const definition = exported.default;
    if (!definition || typeof definition !== 'object' || !('type' in definition) || !('exec' in definition)) {
        throw new Error(`${options.file}: the default export is not a createSync/createAction/createOnEvent result`);
    }
    return definition as ScriptDefinition;
}

function sandboxRequire(name: string): unknown {
    if (Object.hasOwn(ALLOWED_MODULES, name)) return ALLOWED_MODULES[name];
    if (NOT_INSTALLED.includes(name)) throw new Error(`Module '${name}' is allowed by Nango but not installed in this repository`);
    throw new Error(`Module '${name}' is not allowed`);
}

function sandboxConsole(onConsole: (level: string, message: string) => void): Record<string, (...args: unknown[]) => void> {
    const print =
        (level: string) =>
        (...args: unknown[]): void =>
            onConsole(level, args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' '));
    return { log: print('info'), info: print('info'), debug: print('debug'), warn: print('warn'), error: print('error') };
}

function safeJson(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

/** `setTimeout` whose delay elapses on the run's clock. Nango's sandbox has no `clearTimeout`, so no handle is needed. */
function clockSetTimeout(clock: Clock): (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => number {
    let next = 1;
    return (fn, ms = 0, ...args) => {
        if (typeof fn !== 'function') throw new TypeError('setTimeout needs a function');
        void clock.sleep(Number(ms) || 0).then(() => fn(...args));
        return next++;
    };
}

/** A `Date` whose "now" (`Date.now()`, `new Date()`, `Date()`) is the run's clock; everything else is the real Date. */
export function clockDate(clock: Clock): DateConstructor {
    class ClockDate extends Date {
        constructor(...args: unknown[]) {
            if (args.length === 0) super(clock.now());
            else super(...(args as [number, number, number, number, number, number, number]));
        }

        static override now(): number {
            return clock.now();
        }
    }
    // Called without `new`, Date returns the current time as a string.
    return new Proxy(ClockDate, { apply: () => new Date(clock.now()).toString() }) as unknown as DateConstructor;
}
