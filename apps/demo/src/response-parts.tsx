import type { ConversationPart, ConversationResponse } from '@resumable/core';
import type { StreamingMessageResponse } from '@resumable/react';
import { AssistantBody } from './assistant-body.js';

/** The status `<StreamingMessage>` shows for a part: a finished part is finished, whatever the response does. */
function partMessage(part: ConversationPart, response: ConversationResponse): StreamingMessageResponse {
  const open = !part.done && (response.status === 'streaming' || response.status === 'submitted');
  const status = open ? 'streaming' : response.status === 'submitted' ? 'streaming' : response.status;
  return {
    text: part.text,
    status,
    ...(response.errorReason ? { errorReason: response.errorReason } : {}),
    ...(response.incomplete ? { incomplete: true } : {}),
  };
}

/**
 * A response's parts in order: its reasoning (collapsed), tool calls with their results as cards,
 * data parts, and its text (markdown, or the exact text received).
 *
 * @example
 * ```tsx
 * <ResponseParts response={response} view="markdown" reconnecting={false} />
 * ```
 */
export function ResponseParts(props: {
  response: ConversationResponse;
  view: 'markdown' | 'source';
  reconnecting: boolean;
}) {
  const { response, view } = props;
  const results = new Map(
    response.parts.filter((part) => part.kind === 'tool-result').map((part) => [part.toolCallId, part]),
  );
  return (
    <>
      {response.parts.map((part) => {
        const common = { 'data-testid': 'part', 'data-kind': part.kind, 'data-done': part.done ? 'true' : 'false' };
        switch (part.kind) {
          case 'reasoning':
            return (
              <details key={part.index} className="part-reasoning" {...common}>
                <summary>{part.done ? 'Thought it through' : 'Thinking…'}</summary>
                <pre className="source" data-testid="part-text">
                  {part.text}
                </pre>
              </details>
            );
          case 'tool-call':
            return <ToolCard key={part.index} call={part} result={results.get(part.toolCallId)} common={common} />;
          case 'tool-result':
            // Shown inside its call's card; a result without a call (its call not loaded) shows alone.
            return response.parts.some(
              (other) => other.kind === 'tool-call' && other.toolCallId === part.toolCallId,
            ) ? (
              <span key={part.index} hidden {...common}>
                <span data-testid="part-text">{part.text}</span>
              </span>
            ) : (
              <ToolCard key={part.index} call={undefined} result={part} common={common} />
            );
          case 'data':
            return (
              <pre key={part.index} className="source part-data" {...common}>
                <span className="part-label">{part.dataName}</span> <span data-testid="part-text">{part.text}</span>
              </pre>
            );
          default:
            return (
              <div key={part.index} className="part-text" {...common}>
                <AssistantBody response={partMessage(part, response)} view={view} reconnecting={props.reconnecting} />
              </div>
            );
        }
      })}
    </>
  );
}

function ToolCard(props: {
  call: ConversationPart | undefined;
  result: ConversationPart | undefined;
  common: Record<string, string>;
}) {
  const { call, result } = props;
  const name = call?.toolName ?? result?.toolName ?? 'tool';
  // A call stays open (not `done`) until its result or a later part arrives: running until then.
  const state = result ? (result.isError ? 'failed' : 'done') : 'running';
  return (
    <div className="tool-card" data-tool-state={state} {...props.common}>
      <div className="tool-card-head">
        <span className="tool-name">🔧 {name}</span>
        <span className={`tool-state tool-${state}`}>{state}</span>
      </div>
      {call && (
        <pre className="source tool-input" data-testid="part-text">
          {call.text}
        </pre>
      )}
      {result && (
        <pre className={result.isError ? 'source tool-output error' : 'source tool-output'} data-testid="tool-output">
          {result.text}
        </pre>
      )}
    </div>
  );
}
