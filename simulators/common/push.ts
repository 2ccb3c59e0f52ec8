/**
 * The push notifications a simulated provider would send to Nango's webhook URL, queued until a test or the runner
 * delivers them. The shape is the one the push contract of issue 14 fixes (push-core owns this file).
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
        this.queue.push(notification);
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
