/** A small seeded generator, so every seeded data set is the same on every machine and every run. */
export class Random {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0 || 0x9e3779b9;
    }

    /** A float in [0, 1) (mulberry32). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** An integer in [min, max]. */
    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    pick<T>(items: readonly T[]): T {
        if (items.length === 0) throw new Error('pick from an empty list');
        return items[Math.floor(this.next() * items.length)]!;
    }

    chance(probability: number): boolean {
        return this.next() < probability;
    }

    /** `length` characters from `alphabet`. */
    string(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
        let out = '';
        for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
        return out;
    }
}
