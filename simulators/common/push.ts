// Stand-in written by gmail-push from PUSH-CONTRACT.md until push-core's file is merged (theirs wins on merge).
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
