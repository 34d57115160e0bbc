import { ResumableError } from '@resumable/core';
import { describe, expect, it } from 'vitest';
import { answerTurns } from './answer-turns.js';
import { chunks, createFakeChannel } from './test-utils/fake-channel.js';

describe('answering.regenerate', () => {
  it('answers a known turn again under the new id, with a regenerate request on the channel', async () => {
    const fake = createFakeChannel();
    const answered: Array<[string, boolean]> = [];
    const answering = answerTurns(fake.channel, (turn) => {
      answered.push([turn.responseId, turn.regenerate]);
      return chunks(`answer to ${turn.text}`);
    });
    await answering.publishTurn({ text: 'hi', turnId: 't1', responseId: 'r1' });
    const again = await answering.regenerate({ turnId: 't1', responseId: 'r2' });
    expect(again).toMatchObject({ turnId: 't1', responseId: 'r2', regenerate: true, text: 'hi' });
    expect(fake.operations.filter((op) => op.message.name === 'regenerate').map((op) => op.message.extras)).toEqual([
      { headers: { turnId: 't1', responseId: 'r2' } },
    ]);
    expect(answered).toEqual([
      ['r1', false],
      ['r2', true],
    ]);
    answering.stop();
  });

  it('an unknown turn or a responseId already answered is refused with a hint', async () => {
    const fake = createFakeChannel();
    const answering = answerTurns(fake.channel, () => chunks('x'));
    await answering.publishTurn({ text: 'hi', turnId: 't1', responseId: 'r1' });
    const unknown = await answering.regenerate({ turnId: 'nope' }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(ResumableError);
    expect((unknown as ResumableError).message).toMatch(/No turn "nope"/);
    await expect(answering.regenerate({ turnId: 't1', responseId: 'r1' })).rejects.toThrow(/answered already/);
    answering.stop();
  });
});
