'use client';
import { useRef, useState } from 'react';
import type { StreamingMessageLabels } from '../announcements.js';
import type { ReasoningPartProps } from './part-types.js';

/**
 * How long a part has been streaming here: from the first render that saw it streaming to the first that saw it
 * done. Undefined when it was already done when it mounted (restored after a refresh: its real duration is not
 * known here).
 *
 * @example
 * ```ts
 * const durationMs = useStreamingDuration(!part.done);
 * ```
 */
export function useStreamingDuration(streaming: boolean): number | undefined {
  const times = useRef<{ start?: number; end?: number }>({});
  const now = () => (typeof performance === 'undefined' ? Date.now() : performance.now());
  if (streaming && times.current.start === undefined) times.current.start = now();
  if (!streaming && times.current.start !== undefined && times.current.end === undefined) times.current.end = now();
  const { start, end } = times.current;
  return start !== undefined && end !== undefined ? end - start : undefined;
}

/** The summary line: "Thinking…" while it streams, then "Thought for 4 s" (or "Reasoning" when not timed here). */
export function reasoningSummary(
  streaming: boolean,
  durationMs: number | undefined,
  labels: StreamingMessageLabels,
): string {
  if (streaming) return labels.thinking;
  if (durationMs === undefined) return labels.reasoning;
  return labels.thoughtFor.replace('{seconds}', String(Math.max(1, Math.round(durationMs / 1000))));
}

/**
 * The default reasoning renderer: collapsed, with a summary that says whether the model is still thinking and
 * for how long it thought. The text is rendered only while open, so a collapsed part costs no DOM work per token.
 *
 * @example
 * ```tsx
 * <ReasoningPart part={part} streaming={!part.done} durationMs={undefined} labels={DEFAULT_LABELS} />
 * ```
 */
export function ReasoningPart({
  part,
  streaming,
  durationMs,
  labels,
}: ReasoningPartProps & { readonly labels: StreamingMessageLabels }) {
  const [open, setOpen] = useState(false);
  return (
    <details
      data-part="reasoning"
      data-state={streaming ? 'streaming' : 'done'}
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary data-part="reasoning-summary">{reasoningSummary(streaming, durationMs, labels)}</summary>
      {open ? (
        <div data-part="reasoning-text" style={{ whiteSpace: 'pre-wrap' }}>
          {part.text}
        </div>
      ) : null}
    </details>
  );
}
