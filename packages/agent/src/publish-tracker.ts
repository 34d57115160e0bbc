import { ResumableError } from '@resumable/core';
import { isFatalPublishError } from './channel-access.js';

/**
 * Keeps every un-awaited publish or append of one response, counts what was acknowledged and what failed,
 * and reports the first failure that makes going on pointless.
 */
export class PublishTracker {
  private readonly pending: Promise<unknown>[] = [];
  /** Failures seen so far, in the order they were reported. */
  readonly failures: ResumableError[] = [];
  /** Operations Ably acknowledged. */
  acknowledged = 0;
  /** The first fatal failure, if any. */
  fatal: ResumableError | undefined;

  constructor(
    private readonly onFailure: (error: ResumableError, fatal: boolean) => void,
    private readonly toError: (cause: unknown) => ResumableError = (cause) => ResumableError.from(cause),
  ) {}

  /** Track an operation that is not awaited now. */
  track(operation: Promise<unknown>): void {
    this.pending.push(operation);
    operation.then(
      () => {
        this.acknowledged++;
      },
      (cause: unknown) => {
        const error = this.toError(cause);
        this.failures.push(error);
        const fatal = isFatalPublishError(error);
        if (fatal && !this.fatal) this.fatal = error;
        this.onFailure(error, fatal);
      },
    );
  }

  /** Run an operation now and wait for it; a failure is thrown as a ResumableError. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      this.acknowledged++;
      return result;
    } catch (cause) {
      throw this.toError(cause);
    }
  }

  /** Wait until every tracked operation has settled (including ones tracked while waiting). */
  async settle(): Promise<void> {
    let settled = 0;
    while (settled < this.pending.length) {
      const batch = this.pending.slice(settled);
      settled = this.pending.length;
      // The handlers attached in track() were attached first, so they have run when this resolves.
      await Promise.allSettled(batch);
    }
  }
}
