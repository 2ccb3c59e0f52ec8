/**
 * `npm run manifest` writes nango.yaml at the repository root: the syncs, actions and models of the compiled Nango
 * folder, in the shape reviewers know from Nango's former nango.yaml. `npm run manifest:check` (part of `npm test`)
 * fails when the committed file differs from what the scripts compile to.
 *
 * The truth is `nango-integrations/.nango/nango.json` (nango-json.ts), written by `nango compile` (run here when it
 * is missing or stale); model names come from models.ts (zod-sources.ts), the model notation from model-notation.ts,
 * the YAML from render.ts.
 *
 * Options: `--check` compare instead of write; `--out <file>` another target (tests).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureCompiled, MODELS_FILE, NANGO_DIR, ROOT } from '../nango-folder.js';
import { describeDifference } from './diff.js';
import { readNangoJson } from './nango-json.js';
import { buildManifest } from './render.js';
import { loadZodSources } from './zod-sources.js';

const USAGE = 'usage: npm run manifest -- [--check] [--out <file>]';

/** The manifest the scripts compile to, compiling first if the compiled folder is missing or stale. */
export async function generate(nangoDir = NANGO_DIR, modelsFile = MODELS_FILE): Promise<string> {
    await ensureCompiled(nangoDir, modelsFile);
    return buildManifest(readNangoJson(nangoDir), await loadZodSources(nangoDir, modelsFile));
}

function parseArgs(argv: readonly string[]): { check: boolean; out: string } {
    let check = false;
    let out = path.join(ROOT, 'nango.yaml');
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i];
        if (arg === '--check') {
            check = true;
        } else if (arg === '--out' && argv[i + 1]) {
            out = path.resolve(argv[i + 1]!);
            i += 1;
        } else {
            throw new Error(`unknown argument ${arg}; ${USAGE}`);
        }
    }
    return { check, out };
}

export interface Output {
    stdout(text: string): void;
    stderr(text: string): void;
}

const PROCESS_OUTPUT: Output = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text)
};

/** The command: writes, or with `--check` compares; resolves to the exit code. */
export async function manifestCommand(argv: readonly string[], output: Output = PROCESS_OUTPUT): Promise<number> {
    const { check, out } = parseArgs(argv);
    const manifest = await generate();
    const shown = path.relative(process.cwd(), out) || out;
    if (!check) {
        fs.writeFileSync(out, manifest);
        output.stdout(`wrote ${shown}\n`);
        return 0;
    }
    const committed = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
    if (committed === manifest) {
        output.stdout(`${shown} is up to date with the scripts\n`);
        return 0;
    }
    output.stderr(
        committed === null
            ? `${shown} is missing. Run \`npm run manifest\` and commit it.\n`
            : `${shown} is out of date with the scripts. Run \`npm run manifest\` and commit it.\n` +
                  `Lines to change (- now in the file, + expected):\n${describeDifference(committed, manifest)}\n`
    );
    return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    manifestCommand(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`manifest: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        }
    );
}
