import { type FormEvent, useState } from 'react';
import { cancelResponse, pauseResponse, resumeResponse } from './api.js';

/** The message box: send a prompt, or stop the answer that is streaming. */
export function Composer(props: {
  maxLength: number;
  streamingResponseId: string | undefined;
  onSend: (prompt: string) => void;
  onError: (error: unknown) => void;
}) {
  const [text, setText] = useState('');
  const [paused, setPaused] = useState<string>();
  const { streamingResponseId, onError } = props;
  const togglePause = () => {
    if (!streamingResponseId) return;
    const resume = paused === streamingResponseId;
    (resume ? resumeResponse(streamingResponseId) : pauseResponse(streamingResponseId)).then(
      () => setPaused(resume ? undefined : streamingResponseId),
      onError,
    );
  };
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
        placeholder="Ask something… (Enter sends, Shift+Enter for a new line)"
        value={text}
        maxLength={props.maxLength}
        rows={2}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) submit(event);
        }}
      />
      {streamingResponseId ? (
        <>
          <button
            type="button"
            onClick={togglePause}
            title="Hold the model between two tokens, to break things at leisure"
          >
            {paused === streamingResponseId ? 'Resume model' : 'Pause model'}
          </button>
          <button type="button" onClick={() => cancelResponse(streamingResponseId).catch(onError)}>
            Stop
          </button>
        </>
      ) : null}
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
