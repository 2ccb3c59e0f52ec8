import { RecordsStore, runAction, runSync, VirtualClock, type RunSyncOptions } from '../../runtime/index.js';
import { verdictOfCache, type Verdict } from '../../simulators/common/truth.js';
import { GmailSimulator, type GmailSimulatorOptions } from '../../simulators/gmail/index.js';
import { PeopleSimulator, type PeopleSimulatorOptions } from '../../simulators/people/index.js';
import { server } from '../support/msw.js';

/** The connection every google-mail scenario runs on. */
export const conn = { integration: 'google-mail', connectionId: 'local' };

/** Every request the scripts send, in order, so a test can count calls by path (msw sees each HTTP attempt). */
export function recordRequests(): { urls: URL[]; stop: () => void } {
    const urls: URL[] = [];
    const listener = ({ request }: { request: Request }) => {
        urls.push(new URL(request.url));
    };
    server.events.on('request:start', listener);
    return { urls, stop: () => server.events.removeListener('request:start', listener) };
}

/** Thread ids of the threads.get calls among `urls`. */
export function threadGets(urls: readonly URL[]): string[] {
    return urls.flatMap((url) => {
        const match = /^\/gmail\/v1\/users\/me\/threads\/([^/]+)$/.exec(url.pathname);
        return match ? [decodeURIComponent(match[1]!)] : [];
    });
}

/** Ids of the threads a backfill read: threads.get, or messages.get of a thread of one (its id is its message's). */
export function threadReads(urls: readonly URL[]): string[] {
    return urls.flatMap((url) => {
        const match = /^\/gmail\/v1\/users\/me\/(?:threads|messages)\/([^/]+)$/.exec(url.pathname);
        return match && match[1] !== 'send' ? [decodeURIComponent(match[1]!)] : [];
    });
}

/** Ids of the messages read with messages.get. */
export function messageGets(urls: readonly URL[]): string[] {
    return urls.flatMap((url) => {
        const match = /^\/gmail\/v1\/users\/me\/messages\/([^/]+)$/.exec(url.pathname);
        return match && match[1] !== 'send' ? [decodeURIComponent(match[1]!)] : [];
    });
}

export function duplicates(ids: readonly string[]): string[] {
    const seen = new Set<string>();
    const twice = new Set<string>();
    for (const id of ids) (seen.has(id) ? twice : seen).add(id);
    return [...twice];
}

export interface MailWorld {
    clock: VirtualClock;
    sim: GmailSimulator;
    store: RecordsStore;
    sync: (extra?: Partial<RunSyncOptions>) => ReturnType<typeof runSync>;
    action: <T>(name: string, input: unknown) => ReturnType<typeof runAction<T>>;
    verdict: () => Verdict;
}

export function mailWorld(options: Partial<Omit<GmailSimulatorOptions, 'clock'>> = {}): MailWorld {
    const clock = new VirtualClock();
    const sim = new GmailSimulator({ clock, seed: 7, threads: 60, ...options });
    server.use(...sim.handlers);
    const store = new RecordsStore(':memory:');
    return {
        clock,
        sim,
        store,
        sync: (extra = {}) => runSync({ integration: 'google-mail', name: 'gmail-threads', store, clock, ...extra }),
        action: <T>(name: string, input: unknown) => runAction<T>({ integration: 'google-mail', name, input, store, clock }),
        verdict: () =>
            verdictOfCache('GmailThread', sim.truth('GmailThread'), store.allRecords(conn, 'GmailThread'), (m, r) => sim.versionOf(m, r))
    };
}

export interface ContactsWorld {
    clock: VirtualClock;
    sim: PeopleSimulator;
    store: RecordsStore;
    sync: (extra?: Partial<RunSyncOptions>) => ReturnType<typeof runSync>;
    verdict: () => Verdict;
}

export function contactsWorld(options: Partial<Omit<PeopleSimulatorOptions, 'clock'>> = {}): ContactsWorld {
    const clock = new VirtualClock();
    const sim = new PeopleSimulator({ clock, seed: 5, ...options });
    server.use(...sim.handlers);
    const store = new RecordsStore(':memory:');
    return {
        clock,
        sim,
        store,
        sync: (extra = {}) => runSync({ integration: 'google-mail', name: 'gmail-contacts', store, clock, ...extra }),
        verdict: () =>
            verdictOfCache('GoogleContact', sim.truth('GoogleContact'), store.allRecords(conn, 'GoogleContact'), (m, r) =>
                sim.versionOf(m, r)
            )
    };
}
