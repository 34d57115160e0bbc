// Every selector the product tests use, in one place: the chat is being reworked, so when its
// markup changes only this file needs to follow. Roles, names and data attributes only, no classes.
import type { Locator, Page } from 'playwright-core';

export const ui = {
  messageBox: (page: Page) => page.getByRole('textbox', { name: 'Message' }),
  send: (page: Page) => page.getByRole('button', { name: 'Send' }),
  stop: (page: Page) => page.getByRole('button', { name: 'Stop' }),
  chatPane: (page: Page) => page.locator('[data-testid="chat-pane"][data-kind="main"]'),
  messages: (page: Page) => page.locator('[data-kind="main"] [data-testid="messages"]'),
  answer: (page: Page, responseId: string) =>
    page.locator(`[data-kind="main"] [data-testid="assistant-bubble"][data-response-id="${responseId}"]`),
  /** The kit's message root inside an answer (data-status, data-connection). */
  message: (page: Page, responseId: string) => ui.answer(page, responseId).locator('[data-part="root"]'),
  controls: (page: Page) => page.getByRole('region', { name: 'Controls' }),
  inspector: (page: Page) => page.getByTestId('inspector'),
  inspectorEvents: (page: Page) => page.getByTestId('protocol-events'),
  connectionState: (page: Page) => page.getByTestId('connection-state'),
};

/** The "Break it" controls a keyboard user must reach, by accessible name. */
export const breakItControls = [
  /^Reload page$/,
  /^Soft remount$/,
  /^Disconnect \d+ s$/,
  /^Long outage$/,
  /late joiner$/,
];

/** Parts of the page whose pixels change from run to run (ids, timings, counts): masked in screenshots. */
export function variableParts(page: Page): Locator[] {
  return [
    page.locator('[title="Conversation id (in the URL)"]'),
    page.getByTestId('protocol-events'),
    page.getByTestId('connection-trail'),
    page.locator('[data-testid="inspector"] .counters, [data-testid="inspector"] .counts'),
  ];
}

/**
 * Roles whose controls the browser does not name yet. The Token rate and Jitter sliders' labels
 * start with an `<output>`, which is labelable too, so the label names the output and the slider
 * gets no name. Empty this once controls.tsx names the sliders (see the report on issue 18).
 */
export const awaitingNames: readonly string[] = [];
