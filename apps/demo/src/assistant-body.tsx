import type { StreamedResponse } from '@resumable/core';

/** The answer itself: rendered markdown, or the exact text received (to compare with the agent's). */
export function AssistantBody({ response, view }: { response: StreamedResponse; view: 'markdown' | 'source' }) {
  if (view === 'source') {
    return (
      <pre className="source" data-testid="response-source">
        {response.text}
      </pre>
    );
  }
  return <div className="markdown">{response.text}</div>;
}
