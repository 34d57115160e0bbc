import type { ConversationPart } from '@resumable/core';
import { StreamingMessage, type StreamingMessageResponse } from '@resumable/react';
import { ExactParts, IncompleteNotice } from './response-parts.js';

/**
 * An answer: rendered by the kit's `<StreamingMessage>` (markdown text, reasoning collapsed, tool call
 * cards, data parts), or every part as the exact text received (to compare with the agent's, character
 * for character). An answer whose beginning could not be read back says so in words above the text,
 * so nobody mistakes its middle for its start.
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
  const { response } = props;
  if (props.view === 'source') {
    const parts: readonly ConversationPart[] = response.parts ?? [
      { index: 0, kind: 'text', text: response.text, done: true },
    ];
    return <ExactParts parts={parts} incomplete={response.incomplete} />;
  }
  return (
    <>
      {response.incomplete && <IncompleteNotice />}
      <StreamingMessage
        className="markdown"
        response={response}
        reconnecting={props.reconnecting}
        connectionState={props.connectionState}
        renderData={(part) => <pre className="source">{`${part.dataName}: ${part.text}`}</pre>}
      />
    </>
  );
}
