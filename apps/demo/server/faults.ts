import type { IncomingMessage } from 'node:http';
import { HttpError, numberField, readJsonBody } from './http-utils.js';

export const FAULT_KINDS = ['disconnect', 'outage', 'drop', 'expire', 'pause', 'delay', 'expire-tokens'] as const;

/** Where the emulator's loopback fault endpoint is, and the token it asks for. */
export interface EmulatorControl {
  readonly url: string | undefined;
  readonly token: string | undefined;
}

/** Send one fault to the emulator's loopback control endpoint. */
async function emulatorFault(control: EmulatorControl, kind: string, body: Record<string, unknown>): Promise<unknown> {
  const upstream = await fetch(`${control.url}/_emulator/faults/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-emulator-control-token': control.token ?? '' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await upstream.json().catch(() => ({}));
  if (!upstream.ok) {
    // The emulator answers errors as `{ error: { message, code } }`; keep its code (e.g. 40400 for an unknown connection).
    const { error } = answer as { error?: { message?: unknown; code?: unknown } };
    const message = typeof error?.message === 'string' ? error.message : upstream.statusText;
    throw new HttpError(
      upstream.status,
      typeof error?.code === 'number' ? error.code : 50000,
      `The emulator refused the "${kind}" fault: ${message}`,
      'See the emulator log.',
    );
  }
  return answer;
}

/**
 * The demo's faults, on top of the emulator's. `disconnect` cuts one connection off the network for
 * `ms` (the emulator's `cut-off`): its transport drops, its resume attempts go unanswered until the
 * time is up, and then it resumes and receives what it missed. Every other client (the agent, a late
 * joiner) keeps receiving meanwhile. `outage` does the same but also discards that connection's
 * state, so its resume fails (80008) and the client must re-hydrate; other clients are untouched.
 * Resolves with the emulator's answer and the fault's `ms`.
 */
export async function injectFault(
  control: EmulatorControl,
  kind: string,
  req: IncomingMessage,
): Promise<{ answer: unknown; ms: number }> {
  if (!control.url) {
    throw new HttpError(
      501,
      40000,
      'Fault injection needs the emulator',
      'Unset ABLY_API_KEY to run against the local emulator.',
    );
  }
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new HttpError(404, 40400, `Unknown fault "${kind}"`, `Use one of ${FAULT_KINDS.join(', ')}.`);
  }
  const body = await readJsonBody(req);
  const connectionId = typeof body.connectionId === 'string' ? body.connectionId : undefined;
  const ms = numberField(body, 'ms', 0, 600_000, 0);
  if ((kind === 'disconnect' || kind === 'outage') && !connectionId) {
    throw new HttpError(
      400,
      40106,
      `"${kind}" needs a connectionId`,
      'Send the connection id of the client to cut off.',
    );
  }
  if (kind === 'disconnect' || kind === 'outage') {
    return { answer: await emulatorFault(control, 'cut-off', { connectionId, ms, expire: kind === 'outage' }), ms };
  }
  if (kind === 'delay' || kind === 'pause') return { answer: await emulatorFault(control, kind, { ms }), ms };
  return { answer: await emulatorFault(control, kind, connectionId ? { connectionId } : {}), ms };
}
