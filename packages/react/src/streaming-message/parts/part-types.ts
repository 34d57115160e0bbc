/**
 * The shapes the part renderers of `<StreamingMessage>` share: what a replacement component receives, and the
 * labels they show.
 *
 * @module
 */
import type { ConversationPart } from '@resumable/core';
import type { ComponentType, ReactNode } from 'react';

/**
 * Where a tool call stands: its input still streaming or its result not back (`running`), back (`done`), back as
 * an error or the answer failed (`error`), or the answer was stopped first (`cancelled`).
 *
 * @example
 * ```ts
 * const finished = (state: ToolCallState) => state !== 'running';
 * ```
 */
export type ToolCallState = 'running' | 'done' | 'error' | 'cancelled';

/**
 * Props of a text part renderer (`components.text`).
 *
 * @example
 * ```tsx
 * const Plain = ({ part }: TextPartProps) => <p>{part.text}</p>;
 * ```
 */
export interface TextPartProps {
  readonly part: ConversationPart;
  /** The part is still streaming. */
  readonly streaming: boolean;
}

/**
 * Props of a reasoning part renderer (`components.reasoning`).
 *
 * @example
 * ```tsx
 * const Thoughts = ({ part, streaming }: ReasoningPartProps) => <small>{streaming ? '…' : part.text}</small>;
 * ```
 */
export interface ReasoningPartProps {
  readonly part: ConversationPart;
  readonly streaming: boolean;
  /** How long the reasoning streamed here, in ms (undefined when it was already done when shown). */
  readonly durationMs: number | undefined;
}

/**
 * Props of a tool call card (`components.toolCall`): the call and, once back, its result.
 *
 * @example
 * ```tsx
 * const Card = ({ call, result, state }: ToolCallPartProps) => <div>{call?.toolName}: {state} {result?.text}</div>;
 * ```
 */
export interface ToolCallPartProps {
  /** The call (undefined for a result whose call is not shown, e.g. on an older page). */
  readonly call: ConversationPart | undefined;
  readonly result: ConversationPart | undefined;
  readonly state: ToolCallState;
}

/**
 * Props of a data part renderer (`renderData` or `components.data`).
 *
 * @example
 * ```tsx
 * const Chart = ({ part }: DataPartProps) => (part.dataName === 'chart' ? <MyChart data={part.value} /> : null);
 * ```
 */
export interface DataPartProps {
  readonly part: ConversationPart;
}

/**
 * Replacements for the part renderers; any one left out keeps the default.
 *
 * @example
 * ```tsx
 * <StreamingMessage response={response} components={{ toolCall: MyToolCard }} />
 * ```
 */
export interface PartComponents {
  readonly text?: ComponentType<TextPartProps>;
  readonly reasoning?: ComponentType<ReasoningPartProps>;
  readonly toolCall?: ComponentType<ToolCallPartProps>;
  readonly data?: ComponentType<DataPartProps>;
}

/**
 * Renders an app data part (the default renders nothing: data parts are the app's own).
 *
 * @example
 * ```tsx
 * const renderData: RenderDataPart = (part) => <pre>{JSON.stringify(part.value)}</pre>;
 * ```
 */
export type RenderDataPart = (part: ConversationPart) => ReactNode;
