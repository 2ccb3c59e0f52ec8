/**
 * Every proxy call of a Nango script states `retries`: Nango's proxy defaults to 0, so a call that leaves it out
 * fails a whole sync run on the first 429 or 5xx. Nango's own rule (@nangohq/eslint-plugin-custom-integrations-linting)
 * says the same but does not load under ESLint 10 and does not look at `paginate`.
 *
 * Accepted: an object literal holding `retries` (directly or through a spread of a `const` bound to such a literal),
 * or a `const` bound to such a literal. Anything the rule cannot see through is reported, so the value stays visible
 * where the call is made.
 */

const PROXY_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'proxy', 'paginate']);
const MAX_DEPTH = 5;

/** `nango.get`, `this.nango.get`, `ctx.nango.get`. */
function isNangoReceiver(node) {
    if (node.type === 'Identifier') {
        return node.name === 'nango';
    }
    if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
        return node.property.name === 'nango';
    }
    return false;
}

function propertyName(property) {
    if (property.type !== 'Property') {
        return null;
    }
    if (!property.computed && property.key.type === 'Identifier') {
        return property.key.name;
    }
    if (property.key.type === 'Literal' && typeof property.key.value === 'string') {
        return property.key.value;
    }
    return null;
}

function findVariable(scope, name) {
    for (let current = scope; current; current = current.upper) {
        const variable = current.set.get(name);
        if (variable) {
            return variable;
        }
    }
    return null;
}

/** Follows an identifier to the initialiser of the `const` it names, or null. */
function constInitializer(scope, identifier) {
    const variable = findVariable(scope, identifier.name);
    const def = variable?.defs[0];
    if (!def || def.type !== 'Variable' || def.parent.kind !== 'const' || !def.node.init) {
        return null;
    }
    return def.node.init;
}

function unwrap(node) {
    let current = node;
    while (
        current.type === 'TSAsExpression' ||
        current.type === 'TSSatisfiesExpression' ||
        current.type === 'TSNonNullExpression' ||
        current.type === 'TSTypeAssertion'
    ) {
        current = current.expression;
    }
    return current;
}

/** @returns {{ state: 'found', property: object } | { state: 'missing' } | { state: 'unknown' }} */
function findRetries(scope, expression, depth) {
    if (depth > MAX_DEPTH) {
        return { state: 'unknown' };
    }
    const node = unwrap(expression);
    if (node.type === 'Identifier') {
        const init = constInitializer(scope, node);
        return init ? findRetries(scope, init, depth + 1) : { state: 'unknown' };
    }
    if (node.type !== 'ObjectExpression') {
        return { state: 'unknown' };
    }
    // Later properties win in an object literal, so read from the end.
    let sawUnknownSpread = false;
    for (let i = node.properties.length - 1; i >= 0; i -= 1) {
        const property = node.properties[i];
        if (propertyName(property) === 'retries') {
            return { state: 'found', property };
        }
        if (property.type === 'SpreadElement') {
            const inner = findRetries(scope, property.argument, depth + 1);
            if (inner.state === 'found') {
                return inner;
            }
            if (inner.state === 'unknown') {
                sawUnknownSpread = true;
            }
        }
    }
    return sawUnknownSpread ? { state: 'unknown' } : { state: 'missing' };
}

function isValidRetriesValue(value) {
    const node = unwrap(value);
    if (node.type === 'Literal') {
        return typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= 0;
    }
    if (node.type === 'UnaryExpression') {
        return false;
    }
    // An identifier or expression: the type checker (ProxyConfiguration.retries: number) covers it.
    return true;
}

export default {
    meta: {
        type: 'problem',
        docs: {
            description: 'Require an explicit `retries` in every Nango proxy call (get, post, put, patch, delete, proxy, paginate)'
        },
        schema: [],
        messages: {
            noConfig: '`nango.{{method}}()` needs a configuration object that states `retries`.',
            missing: '`nango.{{method}}()` must state `retries` (Nango defaults to 0: one 429 or 5xx would fail the run).',
            unknown:
                '`nango.{{method}}()` must get an object literal (or a const bound to one) that states `retries`, so the retry policy is visible here.',
            invalid: '`retries` must be a non-negative integer.'
        }
    },
    create(context) {
        const sourceCode = context.sourceCode;
        return {
            CallExpression(node) {
                const callee = node.callee;
                if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') {
                    return;
                }
                const method = callee.property.name;
                if (!PROXY_METHODS.has(method) || !isNangoReceiver(callee.object)) {
                    return;
                }
                const config = node.arguments[0];
                if (!config || config.type === 'SpreadElement') {
                    context.report({ node, messageId: 'noConfig', data: { method } });
                    return;
                }
                const result = findRetries(sourceCode.getScope(node), config, 0);
                if (result.state === 'found') {
                    if (!isValidRetriesValue(result.property.value)) {
                        context.report({ node: result.property, messageId: 'invalid' });
                    }
                    return;
                }
                context.report({ node: config, messageId: result.state, data: { method } });
            }
        };
    }
};
