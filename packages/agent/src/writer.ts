import type { ResumableError, TerminalStatus } from '@resumable/core';

/** How one pattern puts a response on the channel; the driver in stream-response.ts decides when. */
export interface ResponseWriter {
  /** Publish the opening message and wait for it; returns its serial. */
  begin(): Promise<string>;
  /** Send one piece of text without waiting; returns an error instead when it would exceed the size limit. */
  write(chunk: string): ResumableError | undefined;
  /** Send anything buffered and wait until every sent piece has settled. */
  settle(): Promise<void>;
  /** Make the text on the channel equal `text` after some pieces failed; `status` is how it will end. */
  repair(text: string, status: TerminalStatus): Promise<void>;
  /**
   * Mark the response as ended; `extra` adds entries to the end marker: `cancelledBy`, and the text's length
   * and checksum (`textProof`) when the whole text on the channel is known, so readers can tell a text that
   * lost a fragment on the way.
   */
  end(status: TerminalStatus, reason?: string, extra?: Record<string, string>): Promise<void>;
}
