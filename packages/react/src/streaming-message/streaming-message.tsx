'use client';
import type { ConversationPart } from '@resumable/core';
import type { UrlPolicy } from '@resumable/markdown';
import {
  type CSSProperties,
  forwardRef,
  type HTMLAttributes,
  memo,
  type ReactNode,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { announcementFor, DEFAULT_LABELS, type MessageStatus, type StreamingMessageLabels } from './announcements.js';
import { type CaretRequest, renderCaret, useCaretSlots } from './caret-slot.js';
import { MarkdownContent } from './markdown-content.js';
import {
  MessageContext,
  type MessageState,
  MessageStore,
  useLayoutEffectOnClient,
  useMessage,
  useStore,
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
  /** The connection's state, when the hook reports it; the `connectionState` prop wins over it. */
  readonly connectionState?: string | undefined;
}

const CONTENT_FIELDS = ['text', 'status', 'reconnecting', 'format', 'urlPolicy', 'labels'] as const;
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
  /**
   * The Ably connection's state (`client.connection.state`). Anything but `connected` counts as
   * reconnecting: while the response is unfinished, the caret pauses and "Reconnecting…" is shown
   * and announced. Leave it out to rely on `reconnecting` alone.
   */
  readonly connectionState?: string | undefined;
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
    reconnecting: reconnectingProp = false,
    connectionState,
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
  const connection = connectionState ?? response?.connectionState;
  // A finished answer has nothing left to wait for, whatever the connection does.
  const reconnecting =
    (reconnectingProp || (connection !== undefined && connection !== 'connected')) &&
    (isActive(resolvedStatus) || resolvedStatus === 'stale');
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
    const store = useStore('Content');
    const { text, status, reconnecting, format, urlPolicy, labels } = useMessage('Content', CONTENT_FIELDS);
    const subscribeSlots = useCaretSlots(store.caretSlots);
    useLayoutEffectOnClient(subscribeSlots, [store]);
    useLayoutEffectOnClient(() => store.caretSlots.addContent(), [store]);
    const request = store.caretSlots.request;
    const caret = request ? renderCaret(status, reconnecting, request) : null;
    if (format === 'plain') {
      return (
        <div data-part="content" style={{ whiteSpace: 'pre-wrap', ...style }} {...rest} ref={ref}>
          {text}
          {caret}
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
          caret={caret}
        />
      </div>
    );
  },
);
StreamingMessageContent.displayName = 'StreamingMessage.Content';

/**
 * A caret shown while the response streams, right after the last character (the Content part draws
 * it inside the last block); hidden from assistive technology. While reconnecting it stays, marked
 * `data-paused`. The optional stylesheet makes it blink, except when paused or under
 * `prefers-reduced-motion: reduce`.
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
    const store = useStore('Caret');
    const { status, reconnecting } = useMessage('Caret', CARET_FIELDS);
    const slots = store.caretSlots;
    const subscribeSlots = useCaretSlots(slots);
    useLayoutEffectOnClient(subscribeSlots, [slots]);
    const request = useMemo<CaretRequest>(() => ({ props, ref }), [props, ref]);
    useLayoutEffectOnClient(() => slots.setRequest(request), [slots, request]);
    useLayoutEffectOnClient(() => () => slots.setRequest(undefined), [slots]);
    // A Content part draws the caret inline; without one the caret draws itself here.
    if (slots.contents > 0) return null;
    return renderCaret(status, reconnecting, request);
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

/** How long a new status region stays empty before its first announcement. */
const ANNOUNCE_DELAY_MS = 100;

/** Props of {@link StreamingMessageStatus}. */
export interface StreamingMessageStatusProps extends HTMLAttributes<HTMLDivElement> {
  /** Show the status text; by default it is only announced. */
  readonly visible?: boolean;
}

/**
 * The one polite status region: announces started, complete, error, stopped, interrupted,
 * reconnecting and reconnected, each once as it happens. It mounts empty and speaks a moment later
 * (a region that appears with its text is not read). A message that mounts already finished
 * (restored after a refresh) announces nothing.
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
    const mounted = useRef({ status, reconnecting, changed: false, dropped: false });
    if (status !== mounted.current.status || reconnecting !== mounted.current.reconnecting)
      mounted.current.changed = true;
    if (reconnecting) mounted.current.dropped = true;
    // A live region that appears already holding its text is not announced: it mounts empty and
    // says the first status a moment later, once assistive technology has seen it.
    const [armed, setArmed] = useState(false);
    useEffect(() => {
      const timer = setTimeout(() => setArmed(true), ANNOUNCE_DELAY_MS);
      return () => clearTimeout(timer);
    }, []);
    const restored = !mounted.current.changed && !isActive(status) && !reconnecting;
    const early = !mounted.current.changed && !armed;
    const message =
      restored || early ? '' : announcementFor(status, reconnecting, labels, errorReason, mounted.current.dropped);
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

const CONNECTION_FIELDS = ['reconnecting', 'labels'] as const;

/**
 * A visible "Reconnecting…" line while the connection is being re-established and the answer is
 * unfinished, so an outage shows where the reader looks. Hidden from assistive technology: the
 * status region announces it.
 *
 * @example
 * ```tsx
 * <StreamingMessage.Connection className="reconnecting-note" />
 * ```
 */
export const StreamingMessageConnection = memo(
  forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(function StreamingMessageConnection(props, ref) {
    const { reconnecting, labels } = useMessage('Connection', CONNECTION_FIELDS);
    if (!reconnecting) return null;
    return (
      <div data-part="connection" aria-hidden="true" {...props} ref={ref}>
        {labels.reconnecting}
      </div>
    );
  }),
);
StreamingMessageConnection.displayName = 'StreamingMessage.Connection';

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
          <StreamingMessageConnection />
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
  Connection: StreamingMessageConnection,
});
