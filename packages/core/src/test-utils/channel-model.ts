/**
 * A model of what an Ably channel holds and what a subscriber receives, for property tests of the
 * reducer. The agent's operations form a channel log; deliveries are derived from it the way Ably
 * produces them (streaming-patterns 1.A.13-20, 1.B, 1.C, 1.D):
 *
 * - live: `message.create`, then appends as fragments, except that the first append an attachment
 *   sees for a message arrives as a full `message.update`; any append may be conflated with the next
 *   ones of the same message or turned into a full update; per-token messages arrive one by one;
 * - rewind and history: one aggregated message per response (its latest version), or every token;
 * - a resume replays what was missed, possibly slightly out of order (per-token only);
 * - continuity loss drops a stretch of live deliveries and starts a new attachment;
 * - replays (#1704 double rewind, re-reads) deliver things twice.
 */

/** A tiny deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const serialOf = (position: number) => `${String(position).padStart(10, '0')}-000@model:000`;

/** One response as the agent produces it. */
export interface ModelResponse {
  readonly responseId: string;
  readonly pattern: 'message-per-response' | 'message-per-token';
  /** The source text split into the model's fragments. */
  readonly fragments: readonly string[];
  /** Indexes of fragments whose publish/append is rejected; the agent repairs with the full text. */
  readonly rejected: readonly number[];
  /** Per-response: put the first fragment in the create. */
  readonly dataInCreate: boolean;
  /** Conversations: headers sent on every message of the response (e.g. `turnId`). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Conversations: the response's parts after the first (`fragments` is part 0). Each is its own message
   * (per-response) or tokens with its part headers (per-token); the end marker follows the last part.
   */
  readonly moreParts?: readonly {
    readonly headers: Readonly<Record<string, string>>;
    readonly fragments: readonly string[];
  }[];
  /** Conversations: headers of part 0. */
  readonly partHeaders?: Readonly<Record<string, string>>;
  /** The end status (default `complete`). */
  readonly endStatus?: string;
  /** Conversations: instead of a response, one message with this name, data and headers (turn, cancel, regenerate). */
  readonly control?: {
    readonly name: string;
    readonly data: string;
    readonly headers: Readonly<Record<string, string>>;
  };
}

/** One operation in the channel log. */
interface LogEntry {
  readonly position: number;
  readonly responseId: string;
  readonly pattern: ModelResponse['pattern'];
  /** Per-response: the message serial (position of the create). Per-token: this message's serial. */
  readonly serial: string;
  readonly versionSerial: string;
  readonly action: 'message.create' | 'message.append' | 'message.update';
  /** Per-token message name. */
  readonly name: string;
  readonly data: string;
  /** Per-response: the aggregated text after this operation. */
  readonly full: string;
  readonly status: string | undefined;
  readonly timestamp: number;
  /** Headers besides `responseId` (and `status` on per-token ends). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Control messages carry no `responseId` of their own. */
  readonly control: boolean;
}

/** Build the channel log for responses interleaved by `picks` (which response publishes next). */
export function buildLog(responses: readonly ModelResponse[], picks: readonly number[]): LogEntry[] {
  const plans = responses.map((response) => agentOperations(response));
  const log: LogEntry[] = [];
  const cursor = plans.map(() => 0);
  const createSerial = new Map<string, string>();
  const aggregated = new Map<string, string>();
  let pick = 0;
  for (;;) {
    const open = plans.map((plan, index) => (cursor[index]! < plan.length ? index : -1)).filter((i) => i >= 0);
    if (open.length === 0) break;
    const index = open[(picks[pick++ % Math.max(1, picks.length)] ?? 0) % open.length]!;
    const operation = plans[index]![cursor[index]!++]!;
    const response = responses[index]!;
    const position = log.length + 1;
    const ownSerial = serialOf(position);
    if (operation.rejected) continue; // never reached the channel
    if (response.pattern === 'message-per-token' || response.control) {
      log.push({
        position,
        responseId: response.responseId,
        pattern: response.pattern,
        serial: ownSerial,
        versionSerial: ownSerial,
        action: 'message.create',
        name: operation.name,
        data: operation.data,
        full: '',
        status: operation.status,
        timestamp: position * 10,
        headers: operation.headers,
        control: response.control !== undefined,
      });
      continue;
    }
    const key = `${response.responseId}#${operation.part}`;
    if (operation.action === 'message.create') createSerial.set(key, ownSerial);
    const serial = createSerial.get(key)!;
    const before = aggregated.get(serial) ?? '';
    const full = operation.action === 'message.append' ? before + operation.data : operation.data;
    aggregated.set(serial, full);
    log.push({
      position,
      responseId: response.responseId,
      pattern: response.pattern,
      serial,
      versionSerial: ownSerial,
      action: operation.action,
      name: 'response',
      data: operation.data,
      full,
      status: operation.status,
      timestamp: position * 10,
      headers: operation.headers,
      control: false,
    });
  }
  return log;
}

interface AgentOperation {
  readonly action: LogEntry['action'];
  readonly name: string;
  readonly data: string;
  readonly status: string | undefined;
  readonly rejected: boolean;
  readonly part: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** What the agent publishes for one response, following the kit's wire convention. */
function agentOperations(response: ModelResponse): AgentOperation[] {
  const operations: AgentOperation[] = [];
  if (response.control) {
    const { name, data, headers } = response.control;
    operations.push({ action: 'message.create', name, data, status: undefined, rejected: false, part: 0, headers });
    return operations;
  }
  const parts = [{ headers: response.partHeaders, fragments: response.fragments }, ...(response.moreParts ?? [])];
  const endStatus = response.endStatus ?? 'complete';
  const rejected = new Set(response.rejected);
  let part = 0;
  let headers: Readonly<Record<string, string>> | undefined;
  const op = (action: LogEntry['action'], name: string, data: string, status?: string, isRejected = false) =>
    operations.push({ action, name, data, status, rejected: isRejected, part, headers });
  const partHeadersOf = (index: number) => {
    const own = parts[index]!.headers;
    return own || response.headers ? { ...response.headers, ...own } : undefined;
  };
  if (response.pattern === 'message-per-token') {
    headers = response.headers;
    op('message.create', 'start', '');
  }
  parts.forEach(({ fragments }, index) => {
    part = index;
    headers = partHeadersOf(index);
    // Fragment rejections apply to part 0 only (a repair message per part is the same rule again).
    const rejectedHere = index === 0 ? rejected : new Set<number>();
    const text = fragments.join('');
    if (response.pattern === 'message-per-response') {
      const first = response.dataInCreate ? (fragments[0] ?? '') : '';
      op('message.create', 'response', first);
      fragments.forEach((fragment, at) => {
        if (at === 0 && response.dataInCreate) return;
        op('message.append', 'response', fragment, undefined, rejectedHere.has(at));
      });
      // Pipelined appends can fail; the agent repairs with the full text (1.A.10), then marks the end.
      if (rejectedHere.size > 0) op('message.update', 'response', text);
      if (index === parts.length - 1) op('message.append', 'response', '', endStatus);
    } else {
      fragments.forEach((fragment, at) => {
        op('message.create', 'token', fragment, undefined, rejectedHere.has(at));
      });
      if (rejectedHere.size > 0) op('message.create', 'response-complete', text, endStatus);
    }
  });
  if (response.pattern === 'message-per-token') {
    part = 0;
    headers = response.headers;
    op('message.create', 'stop', '', endStatus);
  }
  return operations;
}

function headersOf(entry: LogEntry): Record<string, string> {
  if (entry.control) return { ...entry.headers };
  const headers: Record<string, string> = { ...entry.headers, responseId: entry.responseId };
  if (entry.pattern === 'message-per-token' && entry.status) headers.status = entry.status;
  return headers;
}

function versionOf(entry: LogEntry) {
  return {
    serial: entry.versionSerial,
    timestamp: entry.timestamp,
    ...(entry.pattern === 'message-per-response' && entry.status ? { metadata: { status: entry.status } } : {}),
  };
}

/** The message the SDK hands to a subscriber for a log entry, in the given form. */
function deliver(entry: LogEntry, form: 'as-is' | 'full' | { merged: string; last: LogEntry }) {
  const base = {
    id: `${entry.versionSerial}:0`,
    name: entry.name,
    clientId: 'agent',
    connectionId: 'agent-connection',
    serial: entry.serial,
    timestamp: entry.pattern === 'message-per-response' ? Number(entry.serial.slice(0, 10)) * 10 : entry.timestamp,
    extras: { headers: headersOf(entry) },
    annotations: { summary: {} },
  };
  if (form === 'as-is') return { ...base, action: entry.action, data: entry.data, version: versionOf(entry) };
  if (form === 'full') {
    return { ...base, action: 'message.update', data: entry.full, version: versionOf(entry) };
  }
  return { ...base, action: 'message.append', data: form.merged, version: versionOf(form.last) };
}

/** The aggregated per-response message (latest version at or before `position`), as history and rewind return it. */
function aggregateAt(log: readonly LogEntry[], position: number) {
  const latest = new Map<string, LogEntry>();
  for (const entry of log) {
    if (entry.position > position) break;
    latest.set(entry.serial, entry);
  }
  // Ordered by the position of the original message, like history.
  return [...latest.values()]
    .sort((a, b) => (a.serial < b.serial ? -1 : 1))
    .map((entry) =>
      entry.pattern === 'message-per-response' && entry.action !== 'message.create'
        ? deliver(entry, 'full')
        : deliver(entry, 'as-is'),
    );
}

/** Live deliveries of log entries in (from, to], for an attachment that has already seen `seen`. */
function live(
  log: readonly LogEntry[],
  from: number,
  to: number,
  seen: Set<string>,
  rnd: () => number,
  appendModeFull: boolean,
): unknown[] {
  const out: unknown[] = [];
  const slice = log.filter((entry) => entry.position > from && entry.position <= to);
  for (let index = 0; index < slice.length; index++) {
    const entry = slice[index]!;
    if (entry.pattern === 'message-per-token') {
      out.push(deliver(entry, 'as-is'));
      continue;
    }
    if (entry.action === 'message.create') {
      seen.add(entry.serial);
      out.push(deliver(entry, 'as-is'));
      continue;
    }
    if (entry.action === 'message.update' || !seen.has(entry.serial) || appendModeFull || rnd() < 0.1) {
      // first sight on this attachment, an update, or Ably choosing to resync with the full state
      seen.add(entry.serial);
      out.push(deliver(entry, 'full'));
      continue;
    }
    // conflation: merge the following appends of the same message into one delivery
    let merged = entry.data;
    let last = entry;
    while (rnd() < 0.3) {
      const next = slice[index + 1];
      if (!next || next.serial !== entry.serial || next.action !== 'message.append') break;
      merged += next.data;
      last = next;
      index++;
    }
    out.push(deliver(entry, { merged, last }));
  }
  return out;
}

/**
 * A resume may deliver per-token messages slightly out of order (1.D.3): swap a few neighbouring
 * token messages. Appends to one message keep their order (they ride one connection in order).
 */
function jitter(deliveries: unknown[], rnd: () => number): unknown[] {
  const out = [...deliveries];
  const isToken = (delivery: unknown) => (delivery as { name: string }).name !== 'response';
  for (let index = 0; index + 1 < out.length; index++) {
    if (isToken(out[index]) && isToken(out[index + 1]) && rnd() < 0.05) {
      [out[index], out[index + 1]] = [out[index + 1], out[index]];
    }
  }
  return out;
}

/** Repeat some earlier deliveries later on (replays across paths). */
function withReplays(deliveries: unknown[], rnd: () => number, rate: number): unknown[] {
  const out: unknown[] = [];
  for (const delivery of deliveries) {
    out.push(delivery);
    if (out.length > 1 && rnd() < rate) out.push(out[Math.floor(rnd() * out.length)]);
  }
  return out;
}

/** How a client reads the channel in one scenario. */
export interface DeliveryPlan {
  readonly strategy: 'rewind' | 'history' | 'live-only';
  /** Fraction of the log published before the client attached. */
  readonly attachAt: number;
  /** Optional continuity loss: fractions of the log where live delivery stops and where the new attach happens. */
  readonly loss: readonly [number, number] | undefined;
  /** Rewind backlog delivered twice (ably-js #1704). */
  readonly doubleRewind: boolean;
  /** Channel param `appendMode: 'full'`: every append arrives as a full update (1.A.18). */
  readonly appendModeFull: boolean;
  readonly replayRate: number;
  readonly seed: number;
}

/**
 * Everything one client receives, in the order a client using connectChannel applies it: the
 * backlog (rewind, or history folded oldest first) before live messages, and on continuity loss a
 * fresh backlog before the live messages of the new attachment.
 */
export function deliveries(log: readonly LogEntry[], plan: DeliveryPlan): unknown[] {
  const rnd = random(plan.seed);
  const end = log.length;
  const at = (fraction: number) => Math.min(end, Math.floor(fraction * (end + 1)));
  const attach = plan.strategy === 'live-only' ? 0 : at(plan.attachAt);
  const out: unknown[] = [];
  const backlog = (position: number, seen: Set<string>) => {
    const items = aggregateAt(log, position);
    if (plan.strategy === 'rewind') {
      for (const item of items) seen.add((item as { serial: string }).serial);
      out.push(...items);
      if (plan.doubleRewind) out.push(...items);
    } else {
      out.push(...items);
    }
  };
  let seen = new Set<string>();
  if (plan.strategy !== 'live-only') backlog(attach, seen);
  if (plan.loss) {
    const stopAt = Math.max(attach, at(plan.loss[0]));
    const reattach = Math.max(stopAt, at(plan.loss[1]));
    out.push(...jitter(live(log, attach, stopAt, seen, rnd, plan.appendModeFull), rnd));
    seen = new Set();
    backlog(reattach, seen);
    out.push(...jitter(live(log, reattach, end, seen, rnd, plan.appendModeFull), rnd));
  } else {
    out.push(...jitter(live(log, attach, end, seen, rnd, plan.appendModeFull), rnd));
  }
  return withReplays(out, rnd, plan.replayRate);
}
