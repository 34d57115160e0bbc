/** The main kind of content an answer shows. */
export type AnswerShape = 'code' | 'table' | 'list' | 'prose' | 'long';

/**
 * A prepared answer of the simulated model.
 *
 * @example
 * ```ts
 * const answer: CannedAnswer = { topic: 'hi', shape: 'prose', keywords: ['hello'], text: 'Hello **there**.' };
 * ```
 */
export interface CannedAnswer {
  /** Short name that identifies the answer. */
  readonly topic: string;
  /** What the answer mostly is, so a prompt asking for a table never gets a page of code. */
  readonly shape: AnswerShape;
  /** Lower-case words or phrases that select this answer when the prompt contains them as whole words. */
  readonly keywords: readonly string[];
  readonly text: string;
}

const FENCE = '```';

/**
 * Answers the simulated model gives, chosen by {@link pickAnswer}. They are written to exercise what
 * streaming markdown has to get right: fenced code, nested lists, tables, quotes, inline code, and
 * one answer long enough to outlast a rewind window.
 *
 * @example
 * ```ts
 * CANNED_ANSWERS.filter((answer) => answer.shape === 'table').map((answer) => answer.topic);
 * ```
 */
export const CANNED_ANSWERS: readonly CannedAnswer[] = [
  {
    topic: 'debounce',
    shape: 'code',
    keywords: ['debounce', 'typescript', 'function', 'throttle', 'throttling', 'autosave', 'helper'],
    text: `Here is a small, fully typed \`debounce\` helper in TypeScript. It delays calling \`fn\` until \`waitMs\` milliseconds have passed without another call, and it lets you cancel or flush a pending call.

${FENCE}ts
export interface Debounced<Args extends unknown[]> {
  (...args: Args): void;
  cancel(): void;
  flush(): void;
}

export function debounce<Args extends unknown[]>(
  fn: (...args: Args) => void,
  waitMs: number,
): Debounced<Args> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastArgs: Args | undefined;

  const run = () => {
    timer = undefined;
    if (lastArgs) fn(...lastArgs);
    lastArgs = undefined;
  };

  const debounced = (...args: Args) => {
    lastArgs = args;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, waitMs);
  };
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastArgs = undefined;
  };
  debounced.flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      run();
    }
  };
  return debounced;
}
${FENCE}

How to use it:

${FENCE}ts
const save = debounce((draft: string) => api.saveDraft(draft), 500);
input.addEventListener('input', () => save(input.value));
window.addEventListener('beforeunload', () => save.flush());
${FENCE}

A few things worth knowing:

- **Trailing edge only.** The call happens after the quiet period, never immediately. Add a \`leading\` option if the first call should run at once.
- **\`flush()\` on unload** makes sure the last keystrokes are saved even if the user closes the tab mid-wait.
- **Arguments of the last call win.** Earlier calls inside the window are dropped, which is usually what you want for search boxes and autosave.

If you need *throttling* instead (run at most once every \`waitMs\`, but keep running while events arrive), the same structure works with a timestamp check instead of resetting the timer.`,
  },
  {
    topic: 'transports',
    shape: 'table',
    keywords: [
      'compare',
      'comparison',
      'vs',
      'versus',
      'difference',
      'websocket',
      'sse',
      'server-sent events',
      'long polling',
      'polling',
      'transport',
    ],
    text: `Here is how the three common ways of pushing data from a server to a browser compare:

| | WebSockets | Server-Sent Events | Long polling |
| --- | --- | --- | --- |
| Direction | Both ways | Server to client | Server to client (one response per request) |
| Transport | Upgraded HTTP/1.1 connection | A streaming HTTP response | Repeated HTTP requests |
| Binary data | Yes | No, text only | Yes |
| Automatic reconnect | No, you write it | Yes, with \`Last-Event-ID\` | Implicit, every request |
| Works through strict proxies | Usually | Yes | Yes |
| Connections per tab | 1 per socket | Counts against the 6-per-host limit on HTTP/1.1 | 1 at a time |

### Which one to pick

1. **Chat, games, collaborative editing:** WebSockets. You need low latency in both directions.
2. **Notifications, dashboards, streamed AI answers to a single client:** Server-Sent Events are simple and resume for free.
3. **Legacy environments:** long polling still works everywhere, at the cost of latency and overhead.

> Whatever you choose, the hard part is not the first connection but what happens after a drop: which messages were missed, and how the client gets them without duplicates.

A managed pub/sub service hides most of this: it picks the transport, resumes the connection, and replays what was missed while you were away.`,
  },
  {
    topic: 'deploy',
    shape: 'list',
    keywords: [
      'deploy',
      'deployment',
      'production',
      'steps',
      'how do i',
      'setup',
      'set up',
      'install',
      'node.js',
      'checklist',
    ],
    text: `Deploying a Node.js service to production comes down to a handful of steps. Here is a checklist that works for most small services:

1. **Pin the runtime.**
   - Add \`"engines": { "node": ">=20.19" }\` to \`package.json\`.
   - Use the same major version locally, in CI and in production.
2. **Build once, run many times.**
   - Run \`npm ci\` and your build in CI, not on the server.
   - Ship the build output as an artifact or a container image.
3. **Configure through the environment.**
   - Read secrets from environment variables, never from files in the repository.
   - Fail fast at startup if a required variable is missing:
     ${FENCE}js
     const port = Number(process.env.PORT ?? 3000);
     if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required');
     ${FENCE}
4. **Run it under a supervisor.**
   - A container orchestrator, \`systemd\` or a platform service restarts the process when it crashes.
   - Handle \`SIGTERM\`: stop accepting requests, finish the ones in flight, then exit.
5. **Watch it.**
   - Log as JSON lines to standard output.
   - Expose a \`/healthz\` endpoint that checks the database connection.
   - Alert on error rate and latency, not on CPU alone.

- [x] Runtime pinned
- [x] Secrets in the environment
- [ ] Graceful shutdown tested

Once these are in place, rolling out a new version is a matter of building a new image and replacing the old instances one at a time.`,
  },
  {
    topic: 'resume',
    shape: 'prose',
    keywords: [
      'resume',
      'reconnect',
      'ably',
      'refresh',
      'reload',
      'disconnect',
      'stream',
      'offline',
      'outage',
      'connection',
    ],
    text: `## How a stream survives a dropped connection

When the network drops for a moment, the client keeps its **connection state** and asks the server to *resume*. The server then sends everything that was published while the client was away, in order, and the app does not have to do anything.

There are three situations to handle:

- **A short drop (seconds).** The connection resumes. Missed messages are replayed, and a partially streamed answer may arrive as one full update instead of many small appends.
- **A long outage (minutes).** The server has discarded the connection state, so the channel re-attaches with \`resumed: false\`. The client must fetch what it missed from history and merge it with the live stream, without gaps or duplicates.
- **A page reload.** A brand-new client has no state at all. It rebuilds the conversation from a database of completed answers, plus history or rewind for the answer that is still streaming.

The rule that makes all three safe is a single idempotent reducer:

${FENCE}ts
function apply(state: Map<string, Entry>, message: InboundMessage) {
  const entry = state.get(message.serial);
  if (entry && entry.version >= message.version.serial) return; // already applied
  switch (message.action) {
    case 'message.create':
    case 'message.update':
      state.set(message.serial, { text: message.data, version: message.version.serial });
      break;
    case 'message.append':
      state.set(message.serial, { text: (entry?.text ?? '') + message.data, version: message.version.serial });
      break;
  }
}
${FENCE}

> Every path (live messages, rewind, history pages, replays after a resume) goes through the same function, so a message seen twice changes nothing.

Try it: press **Disconnect** while this answer is streaming, then **Reload** the page. The answer should end with exactly the same text either way.`,
  },
  {
    topic: 'sql',
    shape: 'code',
    keywords: ['sql', 'query', 'database', 'postgres', 'postgresql', 'join', 'customer', 'select'],
    text: `To find the customers who spent the most in the last 30 days, join orders to customers, filter by date, and aggregate:

${FENCE}sql
SELECT c.id,
       c.name,
       COUNT(o.id)        AS orders,
       SUM(o.total_cents) AS spent_cents
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
WHERE o.created_at >= now() - interval '30 days'
  AND o.status = 'paid'
GROUP BY c.id, c.name
ORDER BY spent_cents DESC
LIMIT 5;
${FENCE}

On a small sample it returns:

| id | name | orders | spent_cents |
| ---: | --- | ---: | ---: |
| 42 | Ada Lovelace | 7 | 184500 |
| 17 | Grace Hopper | 5 | 120250 |
| 8 | Alan Turing | 9 | 98730 |
| 23 | Katherine Johnson | 3 | 75000 |
| 4 | Edsger Dijkstra | 4 | 61200 |

Notes on performance:

- An index on \`orders (customer_id, created_at)\` lets the planner skip old rows. If most queries also filter on \`status\`, a partial index \`WHERE status = 'paid'\` is even smaller.
- Keep money in integer cents; floating point sums drift.
- \`EXPLAIN (ANALYZE, BUFFERS)\` shows whether the index is used. Look for an *Index Scan* rather than a *Seq Scan* on \`orders\`.`,
  },
  {
    topic: 'rate limiting',
    shape: 'code',
    keywords: ['rate', 'limit', 'limiting', 'rate limit', 'bucket', 'token bucket', 'python', 'api'],
    text: `### Rate limiting with a token bucket

A token bucket lets bursts through while keeping the *average* rate under a limit. The bucket holds up to \`capacity\` tokens and refills at \`rate\` tokens per second; each request takes one token, and a request that finds the bucket empty is rejected or delayed.

${FENCE}python
import time


class TokenBucket:
    def __init__(self, rate: float, capacity: int) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.updated = time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        now = time.monotonic()
        elapsed = now - self.updated
        self.updated = now
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False
${FENCE}

Why it works well in practice:

* **Bursts are allowed** up to \`capacity\`, which matches how real users click.
* **No background timer** is needed: the refill is computed from the elapsed time on each call.
* **It composes:** one bucket per API key, another per IP address, and a request must pass both.

For a distributed service, keep the bucket state in a shared store and update it atomically; otherwise each instance enforces its own limit and the effective limit grows with the number of instances.

| Algorithm | Allows bursts | Memory per key | Precision |
| --- | --- | --- | --- |
| Fixed window | At window edges | 1 counter | Low |
| Sliding log | No | 1 entry per request | Exact |
| Token bucket | Yes, up to capacity | 2 numbers | High |`,
  },
  {
    topic: 'http status codes',
    shape: 'table',
    keywords: ['http', 'status code', 'status', 'response code', 'error code', '404', '500', 'rest'],
    text: `Here are the HTTP status codes you will meet most often, and what a client should do with each:

| Code | Name | What it means | Retry? |
| ---: | --- | --- | :---: |
| 200 | OK | The request worked; the body holds the result. | No need |
| 201 | Created | A new resource exists; the \`Location\` header says where. | No need |
| 204 | No Content | It worked, and there is nothing to send back. | No need |
| 301 | Moved Permanently | Use the new URL from now on. | Follow it |
| 304 | Not Modified | Your cached copy is still good. | No need |
| 400 | Bad Request | The request is malformed; fix it first. | No |
| 401 | Unauthorized | Credentials are missing or no longer valid. | After signing in |
| 403 | Forbidden | You are known, but not allowed to do this. | No |
| 404 | Not Found | Nothing lives at this URL. | No |
| 409 | Conflict | The request clashes with the current state, such as two edits racing. | After re-reading |
| 429 | Too Many Requests | You are rate limited; wait as long as \`Retry-After\` says. | Yes, later |
| 500 | Internal Server Error | The server failed while handling the request. | Yes, with backoff |
| 502 | Bad Gateway | A proxy got a bad answer from the server behind it. | Yes, with backoff |
| 503 | Service Unavailable | The server is overloaded or down for maintenance. | Yes, with backoff |

### Reading them at a glance

- **2xx** means success, **3xx** go elsewhere, **4xx** the client made a mistake, **5xx** the server did.
- Retry automatically only when the request is *idempotent* (\`GET\`, \`PUT\`, \`DELETE\`), or when it carries an idempotency key.
- Back off exponentially, with jitter, so that a thousand clients do not retry in the same millisecond.

> A \`4xx\` fails the same way every time until something changes, so retrying it in a loop only adds load. A \`5xx\` or a \`429\` is worth another try a little later.`,
  },
  {
    topic: 'chat ui tips',
    shape: 'list',
    keywords: [
      'tips',
      'ideas',
      'list',
      'best practice',
      'chat',
      'chat ui',
      'interface',
      'ux',
      'accessibility',
      'accessible',
      'a11y',
      'screen reader',
    ],
    text: `Here is a list of tips for a chat interface that streams its answers:

- **Keep the reader in control of scrolling.**
  - Follow new text only while the view is already at the bottom.
  - Stop following as soon as the reader scrolls up, and offer a *Jump to latest* button instead.
- **Make streaming visible but calm.**
  - Show a caret or a subtle pulse at the end of the answer while it grows.
  - Do not animate every token; render at most once per animation frame.
- **Be kind to screen readers.**
  - Mark the answer \`aria-busy\` while it streams, so it is read once, whole.
  - Announce *started*, *reconnecting* and *done* in one polite status region, not every word.
- **Never show half-written markdown.**
  - Close an open \`**\` or code fence on the fly, so raw markers do not flash on screen.
  - Highlight code only once its block is complete.
- **Say what went wrong, in words.**
  - Tell the reader when the connection is being re-established.
  - If the start of an answer could not be loaded, say so on the answer itself.

And three things to test before shipping:

1. Reload the page halfway through an answer.
2. Turn the network off for a minute, then on again.
3. Open the same conversation in a second tab while an answer is streaming.`,
  },
  {
    topic: 'long read',
    shape: 'long',
    keywords: ['long', 'essay', 'article', 'detailed', 'in depth', 'deep dive', 'end to end', 'pipeline'],
    text: `# The long answer: how a streamed reply reaches your screen

This is a deliberately long answer. It takes a while to stream, which makes it a good one to break: reload the page, drop the connection or open a second client while it is still arriving, and watch the text end up exactly the same.

## Step 1: the model produces tokens

A language model does not write sentences; it emits **tokens**, pieces of text a few characters long. A typical answer is a few hundred to a few thousand of them, produced at somewhere between 20 and 100 per second. Each token on its own is meaningless to a reader: it may be half a word, a space, or the first two characters of a markdown marker such as \`**\`.

The agent that talks to the model receives these tokens as an asynchronous stream and has to get them to every client that is watching, with as little delay as possible and without losing any of them.

## Step 2: the agent publishes them

There are two common ways to put a streamed answer on a pub/sub channel:

| Pattern | What is published | Good at | Weak at |
| --- | --- | --- | --- |
| Message per response | One message, then an append per batch of tokens | Late joiners and history get the whole answer as one message | Needs mutable messages on the channel |
| Message per token | One message for every token | Works on any channel | A late joiner must read back every token |

With **message per response**, the agent creates a message for the answer and then appends to it. Appends that arrive within a short window are rolled up into one, so the number of messages stays small even when the model is fast.

With **message per token**, every token is its own message, tagged with the id of the response it belongs to. It is simple, but the history of a long answer is long too.

## Step 3: the client puts them back together

On the other side, the client subscribes to the channel and feeds every message into one reducer:

${FENCE}ts
type Entry = { text: string; version: string };

function reduce(entries: Map<string, Entry>, message: { serial: string; version: string; action: string; data: string }) {
  const current = entries.get(message.serial);
  if (current && current.version >= message.version) return entries; // seen it already
  const text = message.action === 'message.append' ? (current?.text ?? '') + message.data : message.data;
  entries.set(message.serial, { text, version: message.version });
  return entries;
}
${FENCE}

The reducer is *idempotent*: a message applied twice changes nothing. That single property is what makes everything in the next section safe.

## Step 4: when the network gets in the way

Networks fail in a few recognisable ways, and each one needs its own recovery:

1. **A blip of a few seconds.** The connection resumes, and the server replays what was missed. Nothing for the app to do.
2. **An outage of minutes.** The server has forgotten the connection, so the client re-attaches without its state. It must read back what it missed from history and merge it with the live stream.
3. **A reload.** The new page knows nothing. It loads completed answers from a database and the one still streaming from the channel, either by *rewinding* the last messages or by reading *history*.
4. **A late joiner.** A second client opens the conversation halfway through an answer. To it, this is the same as a reload.

Rewind is cheap but limited: it replays at most a fixed number of messages. With message per token, an answer longer than that window cannot be rebuilt from rewind alone, and its beginning is missing. A good client says so instead of pretending the answer starts in the middle.

> Every recovery path delivers messages the reducer may already have seen. Because applying a message twice is harmless, the paths can overlap freely: the result is always the same text.

## Step 5: rendering markdown while it grows

The last step is showing the text. Markdown is awkward to render while it streams, because the end of the text is always unfinished:

- An opening \`**\` without its closing pair would show as two raw asterisks.
- An open code fence would turn everything after it into code, then flip back when the fence closes.
- A table row without its final pipe is not a table row yet.

A streaming renderer repairs the unfinished end on every update, so the reader sees *bold* as bold from the first letter, and it only re-renders the last block, so a long answer costs no more per token than a short one.

## Step 6: putting it together

- [x] Tokens flow from the model to the agent
- [x] The agent publishes them in one of two patterns
- [x] Every client applies them through one idempotent reducer
- [x] Drops, outages, reloads and late joiners all converge on the same text
- [x] The text is rendered as markdown without flicker

That is the whole journey. If you read this far while it streamed, try it again and press **Reload** in the middle.`,
  },
];

/**
 * The answer to a prompt that matches nothing: it says what the demo can show, and how to ask for
 * it, so a reader who typed anything still learns where to go next.
 *
 * @example
 * ```ts
 * pickAnswer('hello') === DEFAULT_ANSWER; // true
 * ```
 */
export const DEFAULT_ANSWER: CannedAnswer = {
  topic: 'overview',
  shape: 'prose',
  keywords: [],
  text: `I am the demo's **simulated model**: I stream one of a few prepared answers, token by token, so you can see how the chat behaves while an answer arrives and when the connection breaks.

Ask for one of these to see a particular kind of answer:

- **Code:** “write a debounce function”, “write a sql query for top customers”, “token bucket rate limiting in python”
- **A table:** “show me a table of HTTP status codes”, “compare websockets and sse”
- **A list of steps:** “how do I deploy to production”, “tips for a chat UI”
- **A long answer:** “give me a long answer”
- **How resuming works:** “explain how resume works after a disconnect”

While an answer streams, try the controls on the side: **Disconnect**, **Long outage**, **Reload** or a **late joiner**. The text should always end up exactly as the agent sent it.`,
};

interface Intent {
  readonly shape: AnswerShape;
  /** Words in a prompt that ask for this shape of answer. */
  readonly asks: RegExp;
  /** Whether an answer can satisfy the ask. */
  readonly satisfiedBy: (answer: CannedAnswer) => boolean;
  /** The topic to give when no answer that satisfies the ask matches a keyword. */
  readonly fallback: string;
}

const GFM_TABLE = /^ *\|.*\|[ \t]*\n *\|(?: *:?-{3,}:? *\|)+[ \t]*$/m;
const FENCED_CODE = /^ *```/m;
const LIST_ITEM = /^ *(?:[-*+]|\d+\.) /m;
/** Long enough that, one message per token, it cannot be replayed by a rewind of 100 messages. */
const LONG_ANSWER_CHARS = 4000;

/** Checked in order: a prompt asking for a table gets a table even if it also mentions code. */
const INTENTS: readonly Intent[] = [
  {
    shape: 'table',
    asks: /\b(?:tables?|tabular|columns?|spreadsheet|grid|matrix)\b/,
    satisfiedBy: (answer) => GFM_TABLE.test(answer.text),
    fallback: 'http status codes',
  },
  {
    shape: 'long',
    // "Long polling" and "long outage" are things, not requests for length.
    asks: /\b(?:long(?:er)?\b(?! (?:polling|outages?\b))|lengthy|essay|article|detailed|in[ -]depth|deep dive)/,
    satisfiedBy: (answer) => answer.text.length >= LONG_ANSWER_CHARS,
    fallback: 'long read',
  },
  {
    shape: 'code',
    asks: /\b(?:code|coding|snippet|function|implement(?:s|ed|ation)?|script|typescript|javascript|python|sql|program)\b/,
    satisfiedBy: (answer) => FENCED_CODE.test(answer.text),
    fallback: 'debounce',
  },
  {
    shape: 'list',
    asks: /\b(?:list|steps|step by step|checklist|tips|bullets?|bullet points|ideas)\b/,
    satisfiedBy: (answer) => LIST_ITEM.test(answer.text),
    fallback: 'chat ui tips',
  },
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword matches whole words only ("codes" is not "code"'s answer), with a plain plural allowed. */
const KEYWORD_PATTERNS = new Map(
  [...CANNED_ANSWERS, DEFAULT_ANSWER].flatMap((answer) =>
    answer.keywords.map(
      (keyword) => [keyword, new RegExp(`(?<![\\w-])${escapeRegExp(keyword)}(?:s|es)?(?![\\w-])`)] as const,
    ),
  ),
);

/** How well an answer's keywords match a lower-cased prompt: a phrase of n words counts n. */
function scoreOf(answer: CannedAnswer, prompt: string): number {
  let score = 0;
  for (const keyword of answer.keywords) {
    if (KEYWORD_PATTERNS.get(keyword)!.test(prompt)) score += keyword.split(' ').length;
  }
  return score;
}

const byTopic = (topic: string) => CANNED_ANSWERS.find((answer) => answer.topic === topic)!;

/**
 * Pick the answer that fits the prompt. A prompt that asks for a kind of content (a table, code, a
 * list, a long answer) only gets answers that contain it, and that kind's own answer when no keyword
 * matches. Otherwise the answer whose keywords match best wins; ties go to the answer mainly of the
 * kind asked for, then to the one listed first. A prompt that matches nothing gets {@link DEFAULT_ANSWER}.
 *
 * @example
 * ```ts
 * pickAnswer('write a debounce function').topic; // 'debounce'
 * pickAnswer('show me a table of HTTP status codes').topic; // 'http status codes'
 * pickAnswer('hello').topic; // 'overview'
 * ```
 */
export function pickAnswer(prompt: string): CannedAnswer {
  const words = prompt.toLowerCase().replace(/\s+/g, ' ');
  const intent = INTENTS.find((candidate) => candidate.asks.test(words));
  const eligible = intent ? CANNED_ANSWERS.filter(intent.satisfiedBy) : CANNED_ANSWERS;
  let best: CannedAnswer | undefined;
  let bestScore = 0;
  for (const answer of eligible) {
    const score = scoreOf(answer, words);
    // On a tie, an answer that is mainly what was asked for beats one that merely contains it.
    const fitsBetter = intent !== undefined && answer.shape === intent.shape && best?.shape !== intent.shape;
    if (score > bestScore || (score > 0 && score === bestScore && fitsBetter)) {
      best = answer;
      bestScore = score;
    }
  }
  return best ?? (intent ? byTopic(intent.fallback) : DEFAULT_ANSWER);
}
