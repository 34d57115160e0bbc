import { StreamingMessage, type StreamingMessageResponse } from '@resumable/react';

/**
 * The answer itself: markdown rendered by the kit's `<StreamingMessage>`, or the exact text
 * received (to compare with the agent's, character for character). An answer whose beginning could
 * not be read back says so in words above the text, so nobody mistakes its middle for its start.
 *
 * @example
 * ```tsx
 * <AssistantBody response={{ text: '…the end', status: 'complete', incomplete: true }} view="markdown" reconnecting={false} />
 * ```
 */
export function AssistantBody(props: {
  response: StreamingMessageResponse;
  view: 'markdown' | 'source';
  reconnecting: boolean;
  /** The client's connection state: while it is not `connected` an unfinished answer says "Reconnecting…". */
  connectionState?: string | undefined;
}) {
  return (
    <>
      {props.response.incomplete && <IncompleteNotice />}
      {props.view === 'source' ? (
        <pre className="source" data-testid="response-source">
          {props.response.text}
        </pre>
      ) : (
        <StreamingMessage
          className="markdown"
          response={props.response}
          reconnecting={props.reconnecting}
          connectionState={props.connectionState}
        />
      )}
    </>
  );
}

function IncompleteNotice() {
  return (
    <p className="incomplete-notice" role="note" data-testid="incomplete-notice">
      <span aria-hidden="true" className="incomplete-icon">
        ⚠
      </span>{' '}
      Part of this answer has not arrived; what did is shown while it is read again.
    </p>
  );
}
