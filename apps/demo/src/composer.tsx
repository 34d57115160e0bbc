import { type FormEvent, useState } from 'react';
import { cancelResponse } from './api.js';

/** The message box: send a prompt, or stop the answer that is streaming. */
export function Composer(props: {
  maxLength: number;
  streamingResponseId: string | undefined;
  onSend: (prompt: string) => void;
  onError: (error: unknown) => void;
}) {
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const prompt = text.trim();
    if (!prompt) return;
    props.onSend(prompt);
    setText('');
  };
  return (
    <form className="composer" onSubmit={submit}>
      <textarea
        aria-label="Message"
        placeholder="Ask something… (Enter to send, Shift+Enter for a new line)"
        value={text}
        maxLength={props.maxLength}
        rows={2}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) submit(event);
        }}
      />
      {props.streamingResponseId ? (
        <button
          type="button"
          className="secondary"
          onClick={() => cancelResponse(props.streamingResponseId!).catch(props.onError)}
        >
          Stop
        </button>
      ) : null}
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
