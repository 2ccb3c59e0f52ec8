import { diff } from 'node:util';

/** The lines to change in the committed manifest, `-` as it is and `+` as expected; the first 20, then a count. */
export function describeDifference(committed: string, expected: string): string {
    // util.diff marks lines found only in its first argument with 1, only in its second with -1.
    const lines = diff(committed.split('\n'), expected.split('\n'));
    const changed = lines.filter(([op]) => op !== 0);
    const shown = changed.slice(0, 20).map(([op, line]) => `${op === 1 ? '-' : '+'} ${line}`);
    return [...shown, ...(changed.length > shown.length ? [`... and ${changed.length - shown.length} more`] : [])].join('\n');
}
