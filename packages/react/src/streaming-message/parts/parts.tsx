'use client';
import type { ConversationPart } from '@resumable/core';
import { forwardRef, type HTMLAttributes, memo, type ReactNode, useMemo } from 'react';
import type { MessageStatus, StreamingMessageLabels } from '../announcements.js';
import { renderCaret, useCaretSlots } from '../caret-slot.js';
import { MarkdownContent } from '../markdown-content.js';
import { type MessageState, useLayoutEffectOnClient, useMessage, useStore } from '../message-context.js';
import type { PartComponents, RenderDataPart } from './part-types.js';
import { ReasoningPart, useStreamingDuration } from './reasoning-part.js';
import { ToolCallPart } from './tool-call-part.js';
import { type PartSlot, slotsOf, toolCallState } from './tool-calls.js';

const PARTS_FIELDS = [
  'parts',
  'text',
  'status',
  'reconnecting',
  'format',
  'urlPolicy',
  'labels',
  'components',
  'renderData',
] as const;

const isActive = (status: MessageStatus) => status === 'streaming' || status === 'pending';

interface SlotProps {
  readonly slot: PartSlot;
  readonly status: MessageStatus;
  readonly format: MessageState['format'];
  readonly urlPolicy: MessageState['urlPolicy'];
  readonly labels: StreamingMessageLabels;
  readonly components: PartComponents | undefined;
  readonly renderData: RenderDataPart | undefined;
  /** The caret, given to the last slot only when it is a text part: drawn after its last character. */
  readonly caret: ReactNode;
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
  if (a.caret !== b.caret) return false;
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
  if (Custom) {
    return (
      <>
        <Custom part={part} streaming={streaming} />
        {props.caret}
      </>
    );
  }
  if (props.format === 'plain') {
    return (
      <div data-part="text" style={{ whiteSpace: 'pre-wrap' }}>
        {part.text}
        {props.caret}
      </div>
    );
  }
  return (
    <div data-part="text">
      <MarkdownContent
        text={part.text}
        repair={streaming}
        urlPolicy={props.urlPolicy}
        labels={props.labels}
        caret={props.caret}
      />
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
    const store = useStore('Parts');
    const { parts, text, status, reconnecting, format, urlPolicy, labels, components, renderData } = useMessage(
      'Parts',
      PARTS_FIELDS,
    );
    // As <StreamingMessage.Content> does: this part draws the caret, after the last character of the answer.
    const subscribeSlots = useCaretSlots(store.caretSlots);
    useLayoutEffectOnClient(subscribeSlots, [store]);
    useLayoutEffectOnClient(() => store.caretSlots.addContent(), [store]);
    const request = store.caretSlots.request;
    const caret = request ? renderCaret(status, reconnecting, request) : null;
    const slots = useMemo(
      () =>
        slotsOf(
          parts ?? [
            Object.freeze({ index: 0, kind: 'text' as const, text, done: !isActive(status) && status !== 'stale' }),
          ],
        ),
      [parts, text, status],
    );
    // The caret goes inside the last text part when the answer ends in one, else after the last card.
    const last = slots.at(-1);
    const endsInText = last?.kind === 'part' && last.part.kind === 'text';
    return (
      <div data-part="content" {...props} ref={ref}>
        {slots.map((slot, index) => (
          <SlotView
            key={slot.key}
            slot={slot}
            caret={index === slots.length - 1 && endsInText ? caret : undefined}
            status={status}
            format={format}
            urlPolicy={urlPolicy}
            labels={labels}
            components={components}
            renderData={renderData}
          />
        ))}
        {endsInText ? null : caret}
      </div>
    );
  },
);
StreamingMessageParts.displayName = 'StreamingMessage.Parts';
