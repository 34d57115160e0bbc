import { type FormEvent, useState } from 'react';

/** The message box: send a prompt; while an answer streams, pause the model or stop the answer. */
export function Composer(props: {
  maxLength: number;
  streamingResponseId: string | undefined;
  /** The model is held (a conversation control on the server, so a reload shows it). */
  paused: boolean;
  /** Returns false when the prompt could not go (not connected yet): the box keeps it. */
  onSend: (prompt: string) => boolean;
  onStop: (responseId: string) => void;
  onTogglePause: () => void;
}) {
  const [text, setText] = useState('');
  const { streamingResponseId } = props;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const prompt = text.trim();
    if (!prompt) return;
    if (props.onSend(prompt)) setText('');
  };
  return (
    <form className="composer" onSubmit={submit}>
      <textarea
        aria-label="Message"
        placeholder="Ask something… (Enter sends, Shift+Enter for a new line)"
        value={text}
        maxLength={props.maxLength}
        rows={2}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) submit(event);
        }}
      />
      {(streamingResponseId || props.paused) && (
        <button
          type="button"
          onClick={props.onTogglePause}
          aria-pressed={props.paused}
          title="Hold the model between two tokens, to break things at leisure"
        >
          {props.paused ? 'Resume model' : 'Pause model'}
        </button>
      )}
      {streamingResponseId && (
        <button type="button" onClick={() => props.onStop(streamingResponseId)}>
          Stop
        </button>
      )}
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
