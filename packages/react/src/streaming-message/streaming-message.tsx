'use client';
import type { ConversationPart } from '@resumable/core';
import type { UrlPolicy } from '@resumable/markdown';
import {
  type CSSProperties,
  forwardRef,
  type HTMLAttributes,
  memo,
  type ReactNode,
  useMemo,
  useRef,
  useState,
} from 'react';
import { announcementFor, DEFAULT_LABELS, type MessageStatus, type StreamingMessageLabels } from './announcements.js';
import { MarkdownContent } from './markdown-content.js';
import {
  MessageContext,
  type MessageState,
  MessageStore,
  useLayoutEffectOnClient,
  useMessage,
} from './message-context.js';
import type { PartComponents, RenderDataPart } from './parts/part-types.js';
import { StreamingMessageParts } from './parts/parts.js';

/**
 * A response as the hooks return it: anything with `text` and `status`; a conversation response (from
 * `useConversation`) also has its ordered `parts`, and `submitted` shows as `pending`.
 */
export interface StreamingMessageResponse {
  readonly text: string;
  readonly status: MessageStatus | 'submitted';
  readonly parts?: readonly ConversationPart[] | undefined;
  readonly errorReason?: string | undefined;
  /** Set by the store when the start of the text could not be read back (e.g. past the rewind window, no history capability). */
  readonly incomplete?: true | undefined;
}

const CONTENT_FIELDS = ['text', 'status', 'format', 'urlPolicy', 'labels'] as const;
const CARET_FIELDS = ['status', 'reconnecting'] as const;
const STATUS_FIELDS = ['status', 'reconnecting', 'errorReason', 'labels'] as const;

const isActive = (status: MessageStatus) => status === 'streaming' || status === 'pending';

/** Props of {@link StreamingMessageRoot} (and of {@link StreamingMessage}). */
export interface StreamingMessageRootProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  /** The text so far. Ignored when `response` is given. */
  readonly text?: string | undefined;
  /** The response's status. Ignored when `response` is given. Default `complete`. */
  readonly status?: MessageStatus | undefined;
  /** A response from `useStreamedResponse` (or any `{ text, status }`). */
  readonly response?: StreamingMessageResponse | undefined;
  /** The connection is being re-established; shown as `data-connection="reconnecting"` and announced. */
  readonly reconnecting?: boolean | undefined;
  /** `markdown` (default) or `plain` text. */
  readonly format?: 'markdown' | 'plain' | undefined;
  /** Which links and images are allowed. Default: http, https and mailto links; no images. */
  readonly urlPolicy?: UrlPolicy | undefined;
  /** Texts for the status region and controls, for other languages. */
  readonly labels?: Partial<StreamingMessageLabels> | undefined;
  /** Replacements for the part renderers (`text`, `reasoning`, `toolCall`, `data`). */
  readonly components?: PartComponents | undefined;
  /** Renders app data parts (by default they are not shown). */
  readonly renderData?: RenderDataPart | undefined;
  readonly children?: ReactNode;
}

/**
 * The container: provides the message to its parts, and exposes `data-status` (and
 * `data-connection`, and `data-incomplete` when the beginning of the text is known to be missing) for CSS. `aria-busy` is set while the response streams, so assistive
 * technology waits for it rather than reading every token.
 *
 * @example
 * ```tsx
 * <StreamingMessage.Root text={text} status={status}>
 *   <StreamingMessage.Content />
 *   <StreamingMessage.Caret />
 *   <StreamingMessage.Status />
 * </StreamingMessage.Root>
 * ```
 */
export const StreamingMessageRoot = forwardRef<HTMLDivElement, StreamingMessageRootProps>(function StreamingMessageRoot(
  {
    text,
    status,
    response,
    reconnecting = false,
    format = 'markdown',
    urlPolicy,
    labels,
    components,
    renderData,
    children,
    ...rest
  },
  ref,
) {
  const resolvedText = response?.text ?? text ?? '';
  const givenStatus = response?.status ?? status ?? 'complete';
  const resolvedStatus: MessageStatus = givenStatus === 'submitted' ? 'pending' : givenStatus;
  const parts = response?.parts;
  const errorReason = response?.errorReason;
  const labelsKey = labels ? JSON.stringify(labels) : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: labels compared by value
  const mergedLabels = useMemo(() => ({ ...DEFAULT_LABELS, ...labels }), [labelsKey]);
  const state = useMemo<MessageState>(
    () => ({
      text: resolvedText,
      status: resolvedStatus,
      reconnecting,
      errorReason,
      format,
      urlPolicy,
      labels: mergedLabels,
      parts,
      components,
      renderData,
    }),
    [
      resolvedText,
      resolvedStatus,
      reconnecting,
      errorReason,
      format,
      urlPolicy,
      mergedLabels,
      parts,
      components,
      renderData,
    ],
  );
  const [store] = useState(() => new MessageStore(state));
  // Parts rendered in this same pass read the new state directly.
  store.state = state;
  useLayoutEffectOnClient(() => store.notify());
  return (
    <MessageContext.Provider value={store}>
      <div
        data-part="root"
        data-status={resolvedStatus}
        data-connection={reconnecting ? 'reconnecting' : undefined}
        data-format={format}
        data-incomplete={response?.incomplete ? 'true' : undefined}
        aria-busy={isActive(resolvedStatus) || reconnecting ? true : undefined}
        {...rest}
        ref={ref}
      >
        {children}
      </div>
    </MessageContext.Provider>
  );
});
StreamingMessageRoot.displayName = 'StreamingMessage.Root';

/**
 * The text, rendered as markdown (or plain text). Not a live region: the status region speaks
 * for it. Completed blocks render once; only the open end re-renders as tokens arrive. Text that
 * is already there when it mounts (after a refresh) shows at once, without any typing effect.
 *
 * @example
 * ```tsx
 * <StreamingMessage.Content className="prose" />
 * ```
 */
export const StreamingMessageContent = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(
  function StreamingMessageContent({ style, ...rest }, ref) {
    const { text, status, format, urlPolicy, labels } = useMessage('Content', CONTENT_FIELDS);
    if (format === 'plain') {
      return (
        <div data-part="content" style={{ whiteSpace: 'pre-wrap', ...style }} {...rest} ref={ref}>
          {text}
        </div>
      );
    }
    return (
      <div data-part="content" style={style} {...rest} ref={ref}>
        <MarkdownContent
          text={text}
          repair={isActive(status) || status === 'stale'}
          urlPolicy={urlPolicy}
          labels={labels}
        />
      </div>
    );
  },
);
StreamingMessageContent.displayName = 'StreamingMessage.Content';

/**
 * A caret shown while the response streams; hidden from assistive technology. The optional
 * stylesheet makes it blink, except under `prefers-reduced-motion: reduce`.
 *
 * @example
 * ```tsx
 * <StreamingMessage.Caret className="my-caret" />
 * ```
 */
// Caret and status are memoised: they change with the status, not with every token, so they
// skip the root's per-token render and are re-rendered by its notification instead.
export const StreamingMessageCaret = memo(
  forwardRef<HTMLSpanElement, HTMLAttributes<HTMLSpanElement>>(function StreamingMessageCaret(props, ref) {
    const { status, reconnecting } = useMessage('Caret', CARET_FIELDS);
    if (!isActive(status) || reconnecting) return null;
    return <span data-part="caret" aria-hidden="true" {...props} ref={ref} />;
  }),
);
StreamingMessageCaret.displayName = 'StreamingMessage.Caret';

const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0, 0, 0, 0)',
  whiteSpace: 'nowrap',
  border: 0,
};

/** Props of {@link StreamingMessageStatus}. */
export interface StreamingMessageStatusProps extends HTMLAttributes<HTMLDivElement> {
  /** Show the status text; by default it is only announced. */
  readonly visible?: boolean;
}

/**
 * The one polite status region: announces started, complete, error, interrupted and reconnecting.
 * A message that mounts already finished (restored after a refresh) announces nothing.
 *
 * @example
 * ```tsx
 * <StreamingMessage.Status visible className="status-line" />
 * ```
 */
export const StreamingMessageStatus = memo(
  forwardRef<HTMLDivElement, StreamingMessageStatusProps>(function StreamingMessageStatus(
    { visible = false, style, ...rest },
    ref,
  ) {
    const { status, reconnecting, errorReason, labels } = useMessage('Status', STATUS_FIELDS);
    const mounted = useRef({ status, reconnecting, changed: false });
    if (status !== mounted.current.status || reconnecting !== mounted.current.reconnecting)
      mounted.current.changed = true;
    const restored = !mounted.current.changed && !isActive(status) && !reconnecting;
    const message = restored ? '' : announcementFor(status, reconnecting, labels, errorReason);
    return (
      <div
        data-part="status"
        role="status"
        aria-live="polite"
        aria-atomic="true"
        style={visible ? style : { ...visuallyHidden, ...style }}
        {...rest}
        ref={ref}
      >
        {message}
      </div>
    );
  }),
);
StreamingMessageStatus.displayName = 'StreamingMessage.Status';

/** Props of {@link StreamingMessage}: those of the root. Without children it renders every part. */
export type StreamingMessageProps = StreamingMessageRootProps;

const StreamingMessageImpl = forwardRef<HTMLDivElement, StreamingMessageProps>(function StreamingMessage(
  { children, ...props },
  ref,
) {
  return (
    <StreamingMessageRoot {...props} ref={ref}>
      {children ?? (
        <>
          {props.response?.parts ? <StreamingMessageParts /> : <StreamingMessageContent />}
          <StreamingMessageCaret />
          <StreamingMessageStatus />
        </>
      )}
    </StreamingMessageRoot>
  );
});
StreamingMessageImpl.displayName = 'StreamingMessage';

/**
 * Renders a streamed response: markdown that stays smooth at any length, safe by default (no raw
 * HTML, allowed link protocols only, no remote images), and accessible (not a live region;
 * `aria-busy` while streaming; one polite status announcement). Unstyled: import
 * `@resumable/react/styles.css` for a default look, or style the `data-part`s yourself.
 *
 * @example
 * ```tsx
 * const { text, status } = useStreamedResponse({ id });
 * return <StreamingMessage text={text} status={status} />;
 * // or compose the parts:
 * <StreamingMessage response={response}>
 *   <StreamingMessage.Content />
 *   <StreamingMessage.Status visible />
 * </StreamingMessage>
 * ```
 */
export const StreamingMessage = Object.assign(StreamingMessageImpl, {
  Root: StreamingMessageRoot,
  Content: StreamingMessageContent,
  Caret: StreamingMessageCaret,
  Status: StreamingMessageStatus,
  Parts: StreamingMessageParts,
});
