/** A refused query, worded as Salesforce words it: the query, a caret under the offending spot, then the reason. */
export class SoqlError extends Error {
    constructor(
        readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR',
        readonly detail: string,
        query: string,
        pos: number
    ) {
        super(SoqlError.format(query, pos, detail));
    }

    private static format(query: string, pos: number, detail: string): string {
        const before = query.slice(0, pos);
        const row = before.split('\n').length;
        const column = pos - (before.lastIndexOf('\n') + 1) + 1;
        const line = query.split('\n')[row - 1] ?? '';
        return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
    }
}
