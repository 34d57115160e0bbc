import type { PartEvent } from '@resumable/agent';
import type { SeedPart } from './conversation-records.js';

interface OpenPart {
  part: SeedPart & { text: string };
  readonly key: string;
  closed: boolean;
}

/**
 * The parts of a response as the agent publishes them, built from the same events with the same rules
 * (`partStream`: deltas of one kind, or of one tool call, extend a part; anything else starts the next),
 * so what the database keeps is what readers of the channel assembled.
 *
 * @example
 * ```ts
 * const parts = new PartRecorder();
 * parts.add({ type: 'reasoning-delta', text: 'Hmm' });
 * parts.add({ type: 'text-delta', text: 'Hi' });
 * parts.parts(); // [{ kind: 'reasoning', text: 'Hmm' }, { kind: 'text', text: 'Hi' }]
 * ```
 */
export class PartRecorder {
  private readonly list: OpenPart[] = [];
  /** Events that carried text (the agent's token count). */
  tokens = 0;

  add(event: PartEvent): void {
    const piece = pieceOf(event);
    if (!piece) return;
    const current = this.list.at(-1);
    const continues = current && !current.closed && current.key === piece.key;
    if (continues && event.type === 'tool-call') {
      current.closed = true;
      return;
    }
    const open = continues ? current : { part: { ...piece.part, text: '' }, key: piece.key, closed: false };
    if (!continues) this.list.push(open);
    if (piece.text !== '') {
      open.part.text += piece.text;
      this.tokens++;
    }
    if (piece.closes) open.closed = true;
  }

  /** The parts so far; a response that streamed nothing has one empty text part, as on the channel. */
  parts(): SeedPart[] {
    if (this.list.length === 0) return [{ kind: 'text', text: '' }];
    return this.list.map((entry) => ({ ...entry.part }));
  }

  /** The text parts joined. */
  text(): string {
    return this.list
      .filter((entry) => entry.part.kind === 'text')
      .map((entry) => entry.part.text)
      .join('');
  }
}

function pieceOf(event: PartEvent): { part: SeedPart; key: string; text: string; closes: boolean } | undefined {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta': {
      const kind = event.type === 'text-delta' ? 'text' : 'reasoning';
      return { part: { kind, text: '' }, key: kind, text: String(event.text), closes: false };
    }
    case 'tool-input-delta':
    case 'tool-call':
      return {
        part: { kind: 'tool-call', text: '', toolCallId: event.toolCallId, toolName: event.toolName },
        key: `tool-call:${event.toolCallId}`,
        text: event.type === 'tool-input-delta' ? String(event.text) : (JSON.stringify(event.input) ?? 'null'),
        closes: event.type === 'tool-call',
      };
    case 'tool-result':
      return {
        part: {
          kind: 'tool-result',
          text: '',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          ...(event.isError ? { isError: true } : {}),
        },
        key: `tool-result:${event.toolCallId}`,
        text:
          event.isError && typeof event.output === 'string' ? event.output : (JSON.stringify(event.output) ?? 'null'),
        closes: true,
      };
    case 'data':
      return {
        part: { kind: 'data', text: '', dataName: event.name },
        key: `data:${event.name}`,
        text: JSON.stringify(event.data) ?? 'null',
        closes: true,
      };
    default:
      return undefined;
  }
}
