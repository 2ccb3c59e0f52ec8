import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
    cpSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    renameSync,
    rmSync,
    symlinkSync,
    writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { INTEGRATIONS_DIR, REPO_ROOT } from '../../runtime/index.js';

/**
 * The google-mail scripts as Nango ships them: compiled by the real `nango compile` (in a scratch copy holding only
 * google-mail, shared/ and models.ts, so other integrations' work in progress cannot break it), for tests that run
 * the build/*.cjs bundles in the sandbox context (`from: 'compiled'`). A script that reached for TextDecoder, process
 * or fetch fails there. Each script's test file uses it; the build is made once per version of the sources (a
 * folder named by their hash) and shared by the files that ask for it.
 */
export async function compiledGoogleMail(): Promise<string> {
    const sources = [
        join(REPO_ROOT, 'models.ts'),
        ...filesUnder(join(INTEGRATIONS_DIR, 'google-mail')),
        ...filesUnder(join(INTEGRATIONS_DIR, 'shared'))
    ];
    const hash = createHash('sha256');
    for (const file of sources) hash.update(relative(REPO_ROOT, file)).update(readFileSync(file));
    const root = join(tmpdir(), `google-mail-compiled-${hash.digest('hex').slice(0, 16)}`);
    const integrationsDir = join(root, 'nango-integrations');
    if (existsSync(join(integrationsDir, 'build'))) return integrationsDir;

    const scratch = mkdtempSync(join(tmpdir(), 'google-mail-compiling-'));
    const scratchDir = join(scratch, 'nango-integrations');
    mkdirSync(join(scratchDir, '.nango'), { recursive: true });
    cpSync(join(REPO_ROOT, 'models.ts'), join(scratch, 'models.ts'));
    cpSync(join(INTEGRATIONS_DIR, 'google-mail'), join(scratchDir, 'google-mail'), { recursive: true });
    cpSync(join(INTEGRATIONS_DIR, 'shared'), join(scratchDir, 'shared'), { recursive: true });
    const entries = ['syncs', 'actions'].flatMap((kind) =>
        readdirSync(join(scratchDir, 'google-mail', kind)).map((file) => `import './google-mail/${kind}/${file.replace(/\.ts$/, '.js')}';`)
    );
    writeFileSync(join(scratchDir, 'index.ts'), `${entries.join('\n')}\n`);
    writeFileSync(join(scratchDir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(scratchDir, 'node_modules'), 'dir');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    const cli = join(REPO_ROOT, 'node_modules', 'nango', 'dist', 'index.js');
    try {
        await promisify(execFile)(process.execPath, [cli, 'compile', '--no-dependency-update', '--no-telemetry'], {
            cwd: scratchDir,
            env: { ...process.env, NANGO_CLI_TELEMETRY: 'false', CI: 'true' }
        });
    } catch (err) {
        rmSync(scratch, { recursive: true, force: true });
        const { stdout, stderr } = err as { stdout?: string; stderr?: string };
        throw new Error(`nango compile failed on google-mail:\n${stdout ?? ''}${stderr ?? ''}`, { cause: err });
    }
    try {
        renameSync(scratch, root);
    } catch {
        // Another test file built the same sources meanwhile: use that build.
        rmSync(scratch, { recursive: true, force: true });
    }
    return integrationsDir;
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort();
}
