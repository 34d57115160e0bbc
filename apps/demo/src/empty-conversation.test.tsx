// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { EmptyConversation } from './empty-conversation.js';
import { SUGGESTED_PROMPTS } from './suggestions.js';

afterEach(cleanup);

describe('<EmptyConversation>', () => {
  it('offers every suggested prompt as a button that sends it', () => {
    const sent: string[] = [];
    render(<EmptyConversation onSuggest={(prompt) => sent.push(prompt)} />);
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).toEqual(SUGGESTED_PROMPTS.map((item) => item.prompt));
    for (const button of buttons) fireEvent.click(button);
    expect(sent).toEqual(SUGGESTED_PROMPTS.map((item) => item.prompt));
  });

  it('shows the suggestions as text where nothing can be sent (the late joiner)', () => {
    render(<EmptyConversation />);
    expect(screen.queryAllByRole('button')).toHaveLength(0);
    const list = screen.getByRole('list', { name: 'Suggested prompts' });
    for (const { prompt } of SUGGESTED_PROMPTS) expect(list.textContent).toContain(prompt);
  });
});
