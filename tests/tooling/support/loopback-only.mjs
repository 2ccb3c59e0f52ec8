// Preloaded (NODE_OPTIONS=--import) into the processes the deploy test spawns: any TCP connection to a host other
// than the loopback fails, so a misrouted `nango deploy` can never reach Nango's cloud (or anything else) from a test.
// msw in the test process cannot see child processes, hence this guard.
import net from 'node:net';

const connect = net.Socket.prototype.connect;

function isLoopback(host) {
    return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

function target(args) {
    const [first, second] = Array.isArray(args[0]) ? args[0] : args;
    if (first && typeof first === 'object') {
        return first.path ? null : { host: first.host ?? 'localhost', port: first.port };
    }
    if (typeof first === 'string' && !/^\d+$/.test(first)) {
        return null; // an IPC path
    }
    return { host: typeof second === 'string' ? second : 'localhost', port: first };
}

net.Socket.prototype.connect = function guardedConnect(...args) {
    const to = target(args);
    if (to && !isLoopback(String(to.host))) {
        const message = `LOOPBACK-GUARD refused a connection to ${to.host}:${to.port}`;
        process.stderr.write(`${message}\n`);
        process.nextTick(() => this.destroy(new Error(message)));
        return this;
    }
    return connect.apply(this, args);
};
