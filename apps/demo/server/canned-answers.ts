/**
 * Answers the simulated model gives, chosen by keywords in the prompt. They are written to exercise
 * what streaming markdown has to get right: fenced code, nested lists, tables, quotes, inline code.
 */
export interface CannedAnswer {
  /** Short name, shown in the inspector. */
  readonly topic: string;
  /** Lower-case words that select this answer when the prompt contains one of them. */
  readonly keywords: readonly string[];
  readonly text: string;
}

const FENCE = '```';

export const CANNED_ANSWERS: readonly CannedAnswer[] = [
  {
    topic: 'debounce',
    keywords: ['debounce', 'code', 'typescript', 'function', 'throttle'],
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
    keywords: ['compare', 'table', 'vs', 'versus', 'websocket', 'sse', 'difference'],
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
    keywords: ['deploy', 'steps', 'how do i', 'setup', 'install', 'production'],
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
    keywords: ['resume', 'reconnect', 'ably', 'refresh', 'disconnect', 'stream', 'offline'],
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
    keywords: ['sql', 'query', 'database', 'postgres', 'join'],
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
    keywords: ['rate', 'limit', 'bucket', 'python', 'api'],
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
];

/**
 * Pick the answer whose keywords best match the prompt; a prompt that matches nothing gets one
 * chosen by a hash of its text, so the same prompt always gets the same answer.
 *
 * @example
 * ```ts
 * pickAnswer('write a debounce function').topic; // 'debounce'
 * ```
 */
export function pickAnswer(prompt: string): CannedAnswer {
  const words = prompt.toLowerCase();
  let best: CannedAnswer | undefined;
  let bestScore = 0;
  for (const answer of CANNED_ANSWERS) {
    const score = answer.keywords.filter((keyword) => words.includes(keyword)).length;
    if (score > bestScore) {
      best = answer;
      bestScore = score;
    }
  }
  if (best) return best;
  let hash = 0;
  for (const char of prompt) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return CANNED_ANSWERS[hash % CANNED_ANSWERS.length]!;
}
