import type { ResponseStatus } from '@resumable/core';

/** The statuses {@link StreamingMessage} understands: a response's own, plus `pending` before its first token. */
export type MessageStatus = ResponseStatus | 'pending';

/** What the status region says, per status. Override for other languages. */
export interface StreamingMessageLabels {
  readonly started: string;
  readonly complete: string;
  readonly error: string;
  readonly cancelled: string;
  readonly stale: string;
  readonly reconnecting: string;
  readonly copyCode: string;
  readonly copied: string;
  readonly blockedImage: string;
  readonly footnotes: string;
  readonly backToReference: string;
  /** Reasoning summary while it streams. */
  readonly thinking: string;
  /** Reasoning summary once done; `{seconds}` is replaced. */
  readonly thoughtFor: string;
  /** Reasoning summary when its duration is not known (restored after a refresh). */
  readonly reasoning: string;
  /** Prefix of a tool call card's name ("Tool weather: Done"). */
  readonly toolCall: string;
  readonly toolRunning: string;
  readonly toolDone: string;
  readonly toolError: string;
  readonly toolCancelled: string;
  /** Names of a tool card's input and result regions. */
  readonly toolInput: string;
  readonly toolOutput: string;
}

/** English labels used unless `labels` says otherwise. */
export const DEFAULT_LABELS: StreamingMessageLabels = {
  started: 'Response started',
  complete: 'Response complete',
  error: 'Response failed',
  cancelled: 'Response stopped',
  stale: 'Response interrupted',
  reconnecting: 'Reconnecting…',
  copyCode: 'Copy code',
  copied: 'Copied',
  blockedImage: 'Image blocked',
  footnotes: 'Footnotes',
  backToReference: 'Back to reference',
  thinking: 'Thinking…',
  thoughtFor: 'Thought for {seconds} s',
  reasoning: 'Reasoning',
  toolCall: 'Tool',
  toolRunning: 'Running',
  toolDone: 'Done',
  toolError: 'Failed',
  toolCancelled: 'Cancelled',
  toolInput: 'Input of',
  toolOutput: 'Result of',
};

/** The text the polite status region shows for a status. */
export function announcementFor(
  status: MessageStatus,
  reconnecting: boolean,
  labels: StreamingMessageLabels,
  errorReason?: string,
): string {
  if (reconnecting && (status === 'streaming' || status === 'pending' || status === 'stale'))
    return labels.reconnecting;
  switch (status) {
    case 'pending':
    case 'streaming':
      return labels.started;
    case 'complete':
      return labels.complete;
    case 'error':
      return errorReason ? `${labels.error}: ${errorReason}` : labels.error;
    case 'cancelled':
      return labels.cancelled;
    case 'stale':
      return labels.stale;
  }
}
