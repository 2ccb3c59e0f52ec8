import type { NangoActionBase, ProxyConfiguration, UncontrolledFetchOptions } from '@nangohq/runner-sdk';
import type { AxiosResponse } from 'axios';
import type { RunContext } from './run-context.js';

// A mixin's base must be constructible with any arguments (TypeScript's rule for mixins).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AbstractBase = abstract new (...args: any[]) => NangoActionBase<never, never>;

/**
 * What the local sync and the local action both implement against the run: HTTP, logs, checkpoints, locks, and
 * the calls Nango's runner offers that a local run cannot. runner-sdk's NangoSyncBase extends NangoActionBase, so
 * the two local classes cannot share a parent of ours; they share this mixin instead.
 */
export function boundToRun<TBase extends AbstractBase>(Base: TBase) {
    abstract class RunBound extends Base {
        protected abstract readonly run: RunContext;

        override async proxy<T = unknown>(config: ProxyConfiguration): Promise<AxiosResponse<T>> {
            return (await this.run.proxy(config)) as unknown as AxiosResponse<T>;
        }

        override log(...args: unknown[]): void {
            this.run.userLog(args);
        }

        override async getCheckpoint(): Promise<never> {
            return this.run.getCheckpoint() as never;
        }

        override async saveCheckpoint(checkpoint: never): Promise<void> {
            await this.run.saveCheckpoint(checkpoint);
        }

        override async clearCheckpoint(): Promise<void> {
            await this.run.clearCheckpoint();
        }

        override async tryAcquireLock({ key, ttlMs }: { key: string; ttlMs: number }): Promise<boolean> {
            return this.run.tryAcquireLock(key, ttlMs);
        }

        override async releaseLock({ key }: { key: string }): Promise<boolean> {
            return this.run.releaseLock(key);
        }

        override async releaseAllLocks(): Promise<void> {
            this.run.releaseAllLocks();
        }

        override async triggerSync(): Promise<void> {
            throw new Error('triggerSync is not supported by the local runtime');
        }

        override async startSync(): Promise<void> {
            throw new Error('startSync is not supported by the local runtime');
        }

        override async uncontrolledFetch(_options: UncontrolledFetchOptions): Promise<Response> {
            throw new Error('uncontrolledFetch is not supported by the local runtime: use the proxy (nango.get/post/...)');
        }
    }
    return RunBound;
}
