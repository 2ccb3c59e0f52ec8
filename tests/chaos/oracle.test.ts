import { describe, expect, it } from 'vitest';
import { cacheDifference, canonicalJson, checkpointProblems } from '../../chaos/oracle.js';

describe("the oracle's checkpoint limits (Nango's checkpoints.ts: 16 fields, strings of 4,000, keys of 255)", () => {
    it('accepts a flat checkpoint at the limits', () => {
        const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i % 2 === 0 ? 'x'.repeat(4000) : true]));
        expect(checkpointProblems(sixteen)).toEqual([]);
        expect(checkpointProblems({ ['k'.repeat(255)]: 1 })).toEqual([]);
    });

    it('names each limit a checkpoint breaks', () => {
        const seventeen = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
        expect(checkpointProblems(seventeen)).toEqual(['17 fields (max 16)']);
        expect(checkpointProblems({ cursor: 'x'.repeat(4001) })).toEqual(['cursor: string of 4001 chars (max 4000)']);
        expect(checkpointProblems({ ['k'.repeat(256)]: 1 })).toEqual(['key of 256 chars (max 255)']);
        expect(checkpointProblems({ nested: { a: 1 }, gone: null })).toEqual(['nested: object value', 'gone: null value']);
        expect(checkpointProblems(['a'])).toEqual(['not a flat object']);
    });
});

describe('cache comparison with a fresh sync', () => {
    it('ignores key order, and names records only one side has or that differ', () => {
        const a = new Map([
            ['1', canonicalJson({ id: '1', name: 'Ada', n: 1 })],
            ['2', canonicalJson({ id: '2', name: 'Bob' })]
        ]);
        const b = new Map([
            ['1', canonicalJson({ n: 1, name: 'Ada', id: '1' })],
            ['3', canonicalJson({ id: '3' })]
        ]);
        expect(cacheDifference('M', a, new Map(a))).toEqual([]);
        expect(cacheDifference('M', a, b)).toEqual(["M: 1 only in the episode's cache (2)", "M: 1 only in a fresh sync's cache (3)"]);
        const changed = new Map([...a, ['2', canonicalJson({ id: '2', name: 'Rob' })]]);
        expect(cacheDifference('M', a, changed)).toEqual(['M/2 differs from a fresh sync: name: "Bob" vs "Rob"']);
    });
});
