import type { ReactNode } from 'react';

/**
 * Props for the element that scrolls a conversation: a named log (new messages are announced as
 * they are added, politely) that the keyboard can focus and scroll. The answers inside are not
 * read token by token: each `<StreamingMessage>` is `aria-busy` while it streams and speaks through
 * its own status region.
 *
 * @example
 * ```tsx
 * <div className="messages" {...messageListProps('Conversation')}>…</div>
 * ```
 */
export function messageListProps(label = 'Conversation') {
  return {
    role: 'log',
    'aria-label': label,
    'aria-live': 'polite',
    'aria-relevant': 'additions',
    tabIndex: 0,
  } as const;
}

/**
 * A message's visible speaker label ("You", "Assistant"); give the message
 * {@link messageProps} with the same id, so the message is named after its speaker.
 *
 * @example
 * ```tsx
 * <article className="bubble assistant" {...messageProps(`speaker-${id}`)}>
 *   <Speaker id={`speaker-${id}`}>Assistant</Speaker>
 *   <StreamingMessage response={response} />
 * </article>
 * ```
 */
export function Speaker({ id, children }: { readonly id: string; readonly children: ReactNode }) {
  return (
    <span className="speaker" id={id}>
      {children}
    </span>
  );
}

/**
 * Props that name a message (an `<article>` or any container) after its {@link Speaker} label.
 *
 * @example
 * ```tsx
 * <div className="bubble user" {...messageProps('speaker-q1')}><Speaker id="speaker-q1">You</Speaker>{text}</div>
 * ```
 */
export function messageProps(speakerId: string) {
  return { role: 'article', 'aria-labelledby': speakerId } as const;
}
