import type { ReactNode } from 'react';

/**
 * A link whose target is still streaming: its text, inert (no `href`, so nothing to click or
 * follow), marked `data-state="pending"` for styling. It becomes a real link when the target is final.
 *
 * @example
 * ```tsx
 * <PendingLink>https://exa</PendingLink> // <span data-part="link" data-state="pending">https://exa</span>
 * ```
 */
export function PendingLink({ children }: { readonly children: ReactNode }) {
  return (
    <span data-part="link" data-state="pending">
      {children}
    </span>
  );
}
