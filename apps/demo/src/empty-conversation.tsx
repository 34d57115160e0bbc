import { SUGGESTED_PROMPTS } from './suggestions.js';

/**
 * What an empty conversation shows: what to ask, as buttons that send it when `onSuggest` is given.
 *
 * @example
 * ```tsx
 * <EmptyConversation onSuggest={(prompt) => send(prompt)} />
 * ```
 */
export function EmptyConversation({ onSuggest }: { onSuggest?: ((prompt: string) => void) | undefined }) {
  return (
    <div className="empty" data-testid="empty-conversation">
      <p>Ask something to start, then break the connection while the answer streams. Try:</p>
      <ul className="suggestions" aria-label="Suggested prompts">
        {SUGGESTED_PROMPTS.map(({ prompt }) => (
          <li key={prompt}>
            {onSuggest ? (
              <button type="button" onClick={() => onSuggest(prompt)}>
                {prompt}
              </button>
            ) : (
              <em>“{prompt}”</em>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
