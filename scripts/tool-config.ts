/**
 * `npm run tool-config` writes backend/src/catalog.generated.ts and tool-config.json from the scripts' definitions
 * (scripts/backend-catalog.ts); `npm run tool-config:check` writes nothing and fails when either file is stale.
 *
 * Options: `--check` compare instead of write; `--root <dir>` where to write or compare the two files (tests).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import prettier from 'prettier';
import { CATALOG_FILE, catalogOf, renderCatalogModule, TOOL_CONFIG_FILE, toolConfigOf } from './backend-catalog.js';
import { loadZodSources } from './manifest/zod-sources.js';
import { ROOT } from './nango-folder.js';

export interface Generated {
    /** Path relative to the repository root -> expected content. */
    files: Map<string, string>;
}

async function formatted(file: string, text: string): Promise<string> {
    const options = (await prettier.resolveConfig(file)) ?? {};
    return prettier.format(text, { ...options, filepath: file });
}

export async function generate(): Promise<Generated> {
    const sources = await loadZodSources();
    const catalog = catalogOf(sources);
    const files = new Map<string, string>();
    files.set(path.relative(ROOT, CATALOG_FILE), await formatted(CATALOG_FILE, renderCatalogModule(catalog, sources)));
    files.set(path.relative(ROOT, TOOL_CONFIG_FILE), await formatted(TOOL_CONFIG_FILE, JSON.stringify(toolConfigOf(catalog))));
    return { files };
}

/** The files under `root` that differ from what the scripts generate (missing counts as stale). */
export function staleFiles(generated: Generated, root = ROOT): string[] {
    return [...generated.files]
        .filter(([file, text]) => {
            const target = path.join(root, file);
            return !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text;
        })
        .map(([file]) => file);
}

function parseArgs(argv: string[]): { check: boolean; root: string } {
    let check = false;
    let root = ROOT;
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i];
        if (arg === '--check') {
            check = true;
        } else if (arg === '--root' && argv[i + 1]) {
            root = path.resolve(argv[i + 1]!);
            i += 1;
        } else {
            throw new Error(`unknown argument ${arg}; usage: tsx scripts/tool-config.ts [--check] [--root <dir>]`);
        }
    }
    return { check, root };
}

async function main(): Promise<number> {
    const { check, root } = parseArgs(process.argv.slice(2));
    const generated = await generate();
    if (!check) {
        for (const [file, text] of generated.files) {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), text);
            process.stdout.write(`wrote ${file}\n`);
        }
        return 0;
    }
    const stale = staleFiles(generated, root);
    if (stale.length === 0) {
        process.stdout.write(`${[...generated.files.keys()].join(' and ')} are up to date with the scripts\n`);
        return 0;
    }
    process.stderr.write(`${stale.join(' and ')} out of date with the scripts. Run \`npm run tool-config\` and commit.\n`);
    return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`tool-config: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        }
    );
}
