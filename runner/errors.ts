/** A mistake the user can fix (a missing variable, an unknown sync): printed as one line, no stack, exit code 1. */
export class UserError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'UserError';
    }
}
