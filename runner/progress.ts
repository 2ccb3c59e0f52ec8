import { formatInt, formatMs } from './format.js';

/** What the runtime reports while a sync runs. */
export interface SyncProgress {
    records: number;
    pages: number;
    calls: number;
    elapsedMs: number;
}

export interface Output {
    write(text: string): unknown;
    isTTY?: boolean | undefined;
}

/**
 * One line per running sync. On a terminal it is redrawn in place (at most ten times a second); elsewhere (a pipe,
 * a CI log, a test) it prints a plain line every few seconds and a last one when the sync ends, so logs stay short.
 */
export class ProgressLine {
    private lastDraw = 0;
    private lastPlain = Date.now();
    private drawn = false;
    private latest: SyncProgress = { records: 0, pages: 0, calls: 0, elapsedMs: 0 };

    constructor(
        private readonly out: Output,
        private readonly label: string,
        private readonly plainEveryMs = 5000
    ) {}

    update(progress: SyncProgress): void {
        this.latest = progress;
        const now = Date.now();
        if (this.out.isTTY) {
            if (now - this.lastDraw < 100) return;
            this.lastDraw = now;
            this.out.write(`\r\x1b[K${this.text(progress)}`);
            this.drawn = true;
        } else if (now - this.lastPlain >= this.plainEveryMs) {
            this.lastPlain = now;
            this.out.write(`${this.text(progress)}\n`);
        }
    }

    /** The final line, with how the sync ended. */
    finish(outcome: string, final: Partial<SyncProgress> = {}): void {
        const line = `${this.text({ ...this.latest, ...final })} — ${outcome}`;
        this.out.write(this.out.isTTY && this.drawn ? `\r\x1b[K${line}\n` : `${line}\n`);
    }

    private text(p: SyncProgress): string {
        return `  ${this.label}: ${formatInt(p.records)} records saved, ${formatInt(p.pages)} pages, ${formatInt(p.calls)} API calls, ${formatMs(p.elapsedMs)}`;
    }
}
