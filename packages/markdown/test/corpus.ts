/** Realistic model answers, used by the property tests, the stories and the render benchmark. */
export const answers: Readonly<Record<string, string>> = {
  prose: `# Resuming a stream

When a client reconnects, it **must not** lose tokens. The *simplest* approach is to rewind the channel
and fold every message through the same reducer — that way a duplicate is ~~harmless~~ ignored.

Key points:

- Subscribe first, then read history.
- Drop anything at or below the applied serial.
  - Nested: this covers \`message.update\` too.
- Finish by draining the queue.

1. Attach
2. Hydrate
3. Go live

> **Note:** a connection lost for longer than two minutes
> cannot be resumed, so the client re-hydrates.

See [the protocol notes](https://example.com/docs "Protocol") or <https://example.com/faq>, or mail
support@example.com. Plain URLs such as https://example.org/path?q=1 become links too.
`,
  code: `Here is a minimal agent:

\`\`\`ts
import Ably from 'ably';

const client = new Ably.Realtime({ key: process.env.ABLY_KEY });
const channel = client.channels.get('ai:chat');

for await (const token of model.stream(prompt)) {
  await channel.appendMessage({ serial, data: token });
}
\`\`\`

And the client side, in Python for comparison:

\`\`\`python
def on_message(message):
    if message.action == "message.append":
        text += message.data  # tokens arrive in order
\`\`\`

Indented code works as well:

    $ pnpm test
    $ pnpm bench render

Use \`\`code with \` inside\`\` when needed.
`,
  table: `| Pattern | History | Resume |
|:--------|:-------:|-------:|
| message-per-response | one message | \`rewind\` |
| message-per-token | many messages | *history* |
| both | **yes** | [docs](https://example.com) |

Tasks:

- [x] Emulator
- [ ] Storybook
- [ ] Benchmarks

Setext heading
--------------

Another one
===
`,
  footnotes: `Ably keeps messages for two minutes[^ttl] and history for longer[^history].

Reference links like [the guide][guide] and [this one] resolve once defined.

[guide]: https://example.com/guide 'The guide'
[this one]: https://example.com/one

[^ttl]: The connection state TTL.
[^history]: Depends on the account,
    and on channel rules.

Final paragraph with a hard break  
and a backslash break\\
done.
`,
  tricky: `Emphasis edge cases: snake_case_name, 2 * 3 * 4, **bold with *nested* italic**, _under_ and __strong__.

* star list
* second

+ plus list

3. starts at three
4. four

- loose item

- another loose item

  with a second paragraph

***

<div onclick="alert(1)">raw html shows as text</div> and <b>inline</b>.

Escapes: \\*not emphasis\\*, \\[not a link\\], 5 \\< 6.

> Quote with a list:
> - one
> - two
>
> \`\`\`js
> console.log('in quote');
> \`\`\`

Trailing text.`,
  rtl: `## مرحبا بالعالم

هذا نص **عربي** مع [رابط](https://example.com) و\`كود\`.

- عنصر أول
- عنصر ثانٍ

שלום עולם, זהו טקסט *בעברית*.
`,
};
