// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Composer } from './composer.js';

afterEach(cleanup);

function renderComposer(accepts: boolean) {
  const sent: string[] = [];
  render(
    <Composer
      maxLength={1000}
      streamingResponseId={undefined}
      paused={false}
      onSend={(prompt) => {
        sent.push(prompt);
        return accepts;
      }}
      onStop={() => undefined}
      onTogglePause={() => undefined}
    />,
  );
  const box = screen.getByLabelText<HTMLTextAreaElement>('Message');
  fireEvent.change(box, { target: { value: '  Write a debounce helper  ' } });
  fireEvent.keyDown(box, { key: 'Enter' });
  return { sent, box };
}

describe('<Composer>', () => {
  it('sends the trimmed prompt on Enter and empties the box', () => {
    const { sent, box } = renderComposer(true);
    expect(sent).toEqual(['Write a debounce helper']);
    expect(box.value).toBe('');
  });

  it('keeps what was typed when the prompt could not go (not connected yet)', () => {
    const { sent, box } = renderComposer(false);
    expect(sent).toEqual(['Write a debounce helper']);
    expect(box.value).toBe('  Write a debounce helper  ');
  });
});
