/**
 * The ACK/NACK answers of one realtime connection, by msgSerial. After a resume a client resends every
 * protocol message it has no answer for; the ledger applies each msgSerial once and answers a resend
 * with the original answer, so a publish is never applied twice.
 *
 * @module
 */
import { Action, type ProtocolMessage } from './codec.js';
import { type EmulatorError, toEmulatorError } from './errors.js';

// Answers kept for resends: far more than a client has in flight, bounded for a long-lived connection.
const MAX_RESULTS_KEPT = 10_000;

/**
 * Answers given so far, by msgSerial, and the next msgSerial expected.
 *
 * @example
 * ```ts
 * const acks = new AckLedger();
 * const reply = acks.answer(pm, () => channel.publish(messages, ctx), (error) => log(error.message));
 * if (reply) connection.send(reply); // ACK with the serials, or NACK with the error
 * ```
 */
export class AckLedger {
  private nextMsgSerial = 0;
  private readonly results = new Map<number, ProtocolMessage>();

  /**
   * Run `work` once per msgSerial and return its ACK (the serials it returns) or NACK (what it throws,
   * also passed to `onNack`). A msgSerial answered before gets the original answer again (undefined once
   * forgotten) and `work` is not run; a protocol message without msgSerial is applied but not answered.
   */
  answer(
    pm: ProtocolMessage,
    work: () => Array<string | null>,
    onNack: (error: EmulatorError) => void,
  ): ProtocolMessage | undefined {
    const msgSerial = typeof pm.msgSerial === 'number' ? pm.msgSerial : undefined;
    if (msgSerial !== undefined && msgSerial < this.nextMsgSerial) return this.results.get(msgSerial);
    let reply: ProtocolMessage;
    try {
      const serials = work();
      reply = { action: Action.ACK, msgSerial: msgSerial ?? 0, count: 1, res: [{ serials }] };
    } catch (error) {
      const err = toEmulatorError(error);
      onNack(err);
      reply = { action: Action.NACK, msgSerial: msgSerial ?? 0, count: 1, error: err.toWire() };
    }
    if (msgSerial === undefined) return undefined;
    this.nextMsgSerial = msgSerial + 1;
    this.results.set(msgSerial, reply);
    if (this.results.size > MAX_RESULTS_KEPT) this.results.delete(msgSerial - MAX_RESULTS_KEPT);
    return reply;
  }
}
