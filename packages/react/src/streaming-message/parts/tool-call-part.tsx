'use client';
import type { StreamingMessageLabels } from '../announcements.js';
import type { ToolCallPartProps, ToolCallState } from './part-types.js';
import { displayJson } from './tool-calls.js';

/** The label of a tool call state. */
export function toolStateLabel(state: ToolCallState, labels: StreamingMessageLabels): string {
  switch (state) {
    case 'running':
      return labels.toolRunning;
    case 'done':
      return labels.toolDone;
    case 'error':
      return labels.toolError;
    case 'cancelled':
      return labels.toolCancelled;
  }
}

/** A named, keyboard-scrollable block of JSON (long tool inputs and results scroll sideways). */
function ScrollableJson({ part, label, text, error }: { part: string; label: string; text: string; error?: boolean }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section data-part={part} data-error={error ? 'true' : undefined} aria-label={label} tabIndex={0}>
      <pre>
        <code>{text}</code>
      </pre>
    </section>
  );
}

/**
 * The default tool call card: a named region with the tool's name, its state, the input as it streams (pretty
 * JSON once complete) and the result. The input and result are keyboard-scrollable.
 *
 * @example
 * ```tsx
 * <ToolCallPart call={call} result={result} state="done" labels={DEFAULT_LABELS} />
 * ```
 */
export function ToolCallPart({
  call,
  result,
  state,
  ordinal = 1,
  labels,
}: ToolCallPartProps & { readonly ordinal?: number; readonly labels: StreamingMessageLabels }) {
  const tool = call?.toolName ?? result?.toolName ?? 'tool';
  // A second call of the same tool is "weather 2", so every card (a landmark) has a name of its own.
  const name = ordinal > 1 ? `${tool} ${ordinal}` : tool;
  const stateLabel = toolStateLabel(state, labels);
  return (
    <section data-part="tool-call" data-state={state} aria-label={`${labels.toolCall} ${name}: ${stateLabel}`}>
      <div data-part="tool-call-header">
        <span data-part="tool-name">{tool}</span> <span data-part="tool-state">{stateLabel}</span>
      </div>
      {call ? (
        <ScrollableJson part="tool-input" label={`${labels.toolInput} ${name}`} text={displayJson(call)} />
      ) : null}
      {result ? (
        <ScrollableJson
          part="tool-result"
          label={`${labels.toolOutput} ${name}`}
          text={result.isError ? result.text : displayJson(result)}
          error={result.isError === true}
        />
      ) : null}
    </section>
  );
}
