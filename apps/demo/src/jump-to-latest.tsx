import { type RefObject, useEffect, useState } from 'react';

/** How far from the end (px) still counts as being at the latest message. */
const AT_END_PX = 40;

/**
 * A "Jump to latest" button for a scrolling message list: shown once the reader has scrolled up
 * away from the newest message, gone again at the end. It scrolls the list to its end and puts
 * focus on the list, so keyboard and screen reader users land where the text is arriving. It only
 * listens to scrolling, so a streaming answer costs it nothing per token.
 *
 * @example
 * ```tsx
 * const list = useRef<HTMLDivElement>(null);
 * <div className="messages" ref={list}>…</div>
 * <JumpToLatest target={list} />
 * ```
 */
export function JumpToLatest({
  target,
  label = 'Jump to latest',
}: {
  readonly target: RefObject<HTMLElement | null>;
  readonly label?: string;
}) {
  const [away, setAway] = useState(false);
  useEffect(() => {
    const element = target.current;
    if (!element) return;
    const onScroll = () => setAway(element.scrollHeight - element.scrollTop - element.clientHeight > AT_END_PX);
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, [target]);
  if (!away) return null;
  return (
    <button
      type="button"
      className="jump-to-latest"
      data-testid="jump-to-latest"
      onClick={() => {
        const element = target.current;
        if (!element) return;
        element.scrollTop = element.scrollHeight;
        element.focus({ preventScroll: true });
        setAway(false);
      }}
    >
      {label} <span aria-hidden="true">↓</span>
    </button>
  );
}
