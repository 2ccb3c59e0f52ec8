import { INTEGRATIONS_DIR } from '../../runtime/index.js';
import { ensureCompiled } from '../../scripts/nango-folder.js';

/**
 * The google-mail scripts as Nango ships them: the build/*.cjs bundles of the real `nango compile`, for tests that run
 * them in the sandbox context (`from: 'compiled'`), where a script that reached for TextDecoder, process or fetch
 * fails. The run's one compile is tests/support/global-setup.ts; ensureCompiled compiles again only if a source
 * changed since, so every script's test file can ask for it.
 */
export async function compiledGoogleMail(): Promise<string> {
    await ensureCompiled();
    return INTEGRATIONS_DIR;
}
