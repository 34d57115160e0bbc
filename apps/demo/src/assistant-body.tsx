import type { StreamedResponse } from '@resumable/core';
import { StreamingMessage } from '@resumable/react';

/**
 * The answer itself: markdown rendered by the kit's `<StreamingMessage>`, or the exact text
 * received (to compare with the agent's, character for character).
 */
export function AssistantBody(props: {
  response: StreamedResponse;
  view: 'markdown' | 'source';
  reconnecting: boolean;
}) {
  if (props.view === 'source') {
    return (
      <pre className="source" data-testid="response-source">
        {props.response.text}
      </pre>
    );
  }
  return <StreamingMessage className="markdown" response={props.response} reconnecting={props.reconnecting} />;
}
