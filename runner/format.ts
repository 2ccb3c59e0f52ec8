/** Text tables and numbers for the terminal, and markdown tables for the bench report. */

export type Align = 'left' | 'right';

export interface Column {
    title: string;
    align?: Align;
}

/** A plain table with a header rule, columns padded to their widest cell; numbers usually align right. */
export function textTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
    const widths = columns.map((column, i) => Math.max(displayWidth(column.title), ...rows.map((row) => displayWidth(row[i] ?? ''))));
    const line = (cells: readonly string[]) =>
        cells
            .map((cell, i) => pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left'))
            .join('  ')
            .trimEnd();
    const header = line(columns.map((column) => column.title));
    const rule = widths.map((width) => '-'.repeat(width)).join('  ');
    return [header, rule, ...rows.map(line)].join('\n');
}

export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
    const escape = (cell: string) => cell.replace(/\|/g, '\\|');
    const header = `| ${columns.map((column) => escape(column.title)).join(' | ')} |`;
    const rule = `|${columns.map((column) => (column.align === 'right' ? '---:' : ':---')).join('|')}|`;
    return [header, rule, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

export function formatInt(value: number): string {
    return Math.round(value).toLocaleString('en-US');
}

export function formatMs(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    const minutes = Math.floor(ms / 60_000);
    return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatBytes(bytes: number): string {
    const mb = bytes / (1024 * 1024);
    return mb >= 100 ? `${Math.round(mb)} MB` : `${mb.toFixed(1)} MB`;
}

/** A ratio such as `3.2x`; `-` when it cannot be computed. */
export function formatRatio(value: number | null): string {
    if (value === null || !Number.isFinite(value)) return '-';
    if (value >= 100) return `${Math.round(value)}x`;
    if (value >= 0.01 || value === 0) return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
    return `${value.toPrecision(1)}x`;
}

/** Cuts a value to `max` characters for a table cell. */
export function clip(value: string, max: number): string {
    const flat = value.replace(/\s+/g, ' ');
    return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function pad(cell: string, width: number, align: Align): string {
    const gap = ' '.repeat(Math.max(0, width - displayWidth(cell)));
    return align === 'right' ? gap + cell : cell + gap;
}

function displayWidth(text: string): number {
    return [...text].length;
}
