import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the working directory the runner was started from. */
export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The folder holding the local installation: `.nango-local/` at the repository root, or `NANGO_LOCAL_DIR`. */
export function localDir(): string {
    const override = process.env['NANGO_LOCAL_DIR'];
    return override ? resolve(override) : resolve(repoRoot, '.nango-local');
}

/** One SQLite file: records, checkpoints, metadata and the simulators' state. */
export function storeFile(): string {
    return resolve(localDir(), 'store.sqlite');
}
