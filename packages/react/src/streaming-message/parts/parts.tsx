'use client';
import type { ConversationPart } from '@resumable/core';
import { forwardRef, type HTMLAttributes, memo, useMemo } from 'react';
import type { MessageStatus, StreamingMessageLabels } from '../announcements.js';
import { MarkdownContent } from '../markdown-content.js';
import { type MessageState, useMessage } from '../message-context.js';
import type { PartComponents, RenderDataPart } from './part-types.js';
import { ReasoningPart, useStreamingDuration } from './reasoning-part.js';
import { ToolCallPart } from './tool-call-part.js';
import { type PartSlot, slotsOf, toolCallState } from './tool-calls.js';

const PARTS_FIELDS = ['parts', 'text', 'status', 'format', 'urlPolicy', 'labels', 'components', 'renderData'] as const;

const isActive = (status: MessageStatus) => status === 'streaming' || status === 'pending';

interface SlotProps {
  readonly slot: PartSlot;
  readonly status: MessageStatus;
  readonly format: MessageState['format'];
  readonly urlPolicy: MessageState['urlPolicy'];
  readonly labels: StreamingMessageLabels;
  readonly components: PartComponents | undefined;
  readonly renderData: RenderDataPart | undefined;
}

function samePart(a: ConversationPart | undefined, b: ConversationPart | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    a.text === b.text &&
    a.done === b.done &&
    a.kind === b.kind &&
    a.index === b.index &&
    a.toolName === b.toolName &&
    a.toolCallId === b.toolCallId &&
    a.isError === b.isError &&
    a.dataName === b.dataName
  );
}

/**
 * Parts are rebuilt by the store on every change of their response; comparing what they hold keeps a token's
 * work in its own part. The response status matters only to a part that is still open or a running tool.
 */
function sameSlot(a: SlotProps, b: SlotProps): boolean {
  if (a.format !== b.format || a.urlPolicy !== b.urlPolicy || a.labels !== b.labels) return false;
  if (a.components !== b.components || a.renderData !== b.renderData) return false;
  const slotA = a.slot;
  const slotB = b.slot;
  if (slotA.kind === 'part' && slotB.kind === 'part') {
    if (!samePart(slotA.part, slotB.part)) return false;
    return slotA.part.done || a.status === b.status;
  }
  if (slotA.kind === 'tool' && slotB.kind === 'tool') {
    return (
      samePart(slotA.call, slotB.call) &&
      samePart(slotA.result, slotB.result) &&
      slotA.ordinal === slotB.ordinal &&
      a.status === b.status
    );
  }
  return false;
}

function TextSlot({ part, streaming, props }: { part: ConversationPart; streaming: boolean; props: SlotProps }) {
  const Custom = props.components?.text;
  if (Custom) return <Custom part={part} streaming={streaming} />;
  if (props.format === 'plain') {
    return (
      <div data-part="text" style={{ whiteSpace: 'pre-wrap' }}>
        {part.text}
      </div>
    );
  }
  return (
    <div data-part="text">
      <MarkdownContent text={part.text} repair={streaming} urlPolicy={props.urlPolicy} labels={props.labels} />
    </div>
  );
}

function ReasoningSlot({ part, streaming, props }: { part: ConversationPart; streaming: boolean; props: SlotProps }) {
  const durationMs = useStreamingDuration(streaming);
  const Custom = props.components?.reasoning;
  if (Custom) return <Custom part={part} streaming={streaming} durationMs={durationMs} />;
  return <ReasoningPart part={part} streaming={streaming} durationMs={durationMs} labels={props.labels} />;
}

const SlotView = memo(function SlotView(props: SlotProps) {
  const { slot, status } = props;
  if (slot.kind === 'tool') {
    const state = toolCallState(slot.call, slot.result, status);
    const Custom = props.components?.toolCall;
    if (Custom) return <Custom call={slot.call} result={slot.result} state={state} />;
    return (
      <ToolCallPart call={slot.call} result={slot.result} state={state} ordinal={slot.ordinal} labels={props.labels} />
    );
  }
  const { part } = slot;
  const streaming = !part.done && (isActive(status) || status === 'stale');
  switch (part.kind) {
    case 'reasoning':
      return <ReasoningSlot part={part} streaming={streaming} props={props} />;
    case 'data': {
      const Custom = props.components?.data;
      if (Custom) return <Custom part={part} />;
      return props.renderData ? <div data-part="data">{props.renderData(part)}</div> : null;
    }
    default:
      return <TextSlot part={part} streaming={streaming} props={props} />;
  }
}, sameSlot);

/**
 * A conversation response's parts, in order: text as markdown, reasoning collapsed with how long the model
 * thought, each tool call as a card with its result, data parts through `renderData`. A token re-renders only its
 * own part. Without parts (a plain text response) it renders the text as `<StreamingMessage.Content>` does.
 *
 * @example
 * ```tsx
 * <StreamingMessage response={response} components={{ toolCall: MyToolCard }}>
 *   <StreamingMessage.Parts />
 *   <StreamingMessage.Status />
 * </StreamingMessage>
 * ```
 */
export const StreamingMessageParts = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(
  function StreamingMessageParts(props, ref) {
    const { parts, text, status, format, urlPolicy, labels, components, renderData } = useMessage(
      'Parts',
      PARTS_FIELDS,
    );
    const slots = useMemo(
      () =>
        slotsOf(
          parts ?? [
            Object.freeze({ index: 0, kind: 'text' as const, text, done: !isActive(status) && status !== 'stale' }),
          ],
        ),
      [parts, text, status],
    );
    return (
      <div data-part="content" {...props} ref={ref}>
        {slots.map((slot) => (
          <SlotView
            key={slot.key}
            slot={slot}
            status={status}
            format={format}
            urlPolicy={urlPolicy}
            labels={labels}
            components={components}
            renderData={renderData}
          />
        ))}
      </div>
    );
  },
);
StreamingMessageParts.displayName = 'StreamingMessage.Parts';
