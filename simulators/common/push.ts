/**
 * Push notifications a simulated provider sends to Nango's webhook URL (`POST /webhook/<environment>/<integration>`),
 * queued as activity happens so a test, the runner (`deliver`) or the chaos campaign can hand them to the runtime's
 * routing (`routePush` in runtime/push-routing.ts) when it chooses: a real provider delivers late, twice or out of
 * order, so delivery is the caller's decision, not the simulator's.
 */
export interface PushNotification {
    provider: 'gmail' | 'calendar';
    /** The HTTP request the provider's push would make to Nango's webhook URL: lower-case header names. */
    headers: Record<string, string>;
    /** Raw body: Pub/Sub's JSON for Gmail, '' for Calendar. */
    body: string;
    /** Virtual ms when emitted. */
    emittedAt: number;
}

export class PushOutbox {
    private queue: PushNotification[] = [];

    emit(notification: PushNotification): void {
        this.queue.push({ ...notification, headers: lowerCaseHeaders(notification.headers) });
    }

    /** Removes and returns everything queued, oldest first. */
    take(): PushNotification[] {
        const taken = this.queue;
        this.queue = [];
        return taken;
    }

    peek(): readonly PushNotification[] {
        return this.queue;
    }
}

/** Node's HTTP server (and so Nango's express) hands header names lower-cased; a simulator may write them as documented. */
function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
