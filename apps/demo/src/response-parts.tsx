import type { ConversationPart } from '@resumable/core';

/**
 * A response's parts in order, each as the exact text received (the "exact text" view, to compare
 * with the agent's character for character): its reasoning (collapsed), tool calls with their results
 * as cards, data parts, and its text. The markdown view is the kit's `<StreamingMessage>`.
 *
 * @example
 * ```tsx
 * <ExactParts parts={response.parts} incomplete={response.incomplete} />
 * ```
 */
export function ExactParts(response: { parts: readonly ConversationPart[]; incomplete?: true | undefined }) {
  const results = new Map(
    response.parts.filter((part) => part.kind === 'tool-result').map((part) => [part.toolCallId, part]),
  );
  return (
    <>
      {response.incomplete && <IncompleteNotice />}
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
                <pre className="source" data-testid="response-source">
                  {part.text}
                </pre>
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
        <span className="tool-name">Tool: {name}</span>
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

/** Says in words that the start of an answer is missing, so nobody mistakes its middle for its start. */
export function IncompleteNotice() {
  return (
    <p className="incomplete-notice" role="note" data-testid="incomplete-notice">
      <span aria-hidden="true" className="incomplete-icon">
        ⚠
      </span>{' '}
      Part of this answer has not arrived; what did is shown while it is read again.
    </p>
  );
}
