// Our own ESLint rules for Nango scripts, loaded by eslint.config.js as the `nango-local` plugin.
import proxyCallRetries from './proxy-call-retries.js';

export default {
    meta: { name: 'nango-local' },
    rules: {
        'proxy-call-retries': proxyCallRetries
    }
};
