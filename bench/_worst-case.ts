// Worst-case documents for the render bench: one huge block that stays open for the whole answer,
// where re-parsing the open block on every token would make the cost per token grow with it.

function codeBlock(bytes: number): string {
  let body = '';
  for (let i = 0; body.length < bytes; i++) body += `const value${i} = compute(${i}, "**not bold**", [${i}]);\n`;
  return `Here is the file:\n\n\`\`\`ts\n${body}\`\`\`\n`;
}

function table(rows: number): string {
  let out = '| # | Pattern | Status | Link |\n|---:|:---|:---:|---|\n';
  for (let i = 1; i <= rows; i++)
    out += `| ${i} | message-per-**${i % 2 ? 'token' : 'response'}** | \`ok\` | https://example.com/r/${i} |\n`;
  return out;
}

function paragraphOfLinks(bytes: number): string {
  let out = 'Sources:';
  for (let i = 0; out.length < bytes; i++) {
    out +=
      i % 3 === 0
        ? ` see https://example.com/docs/${i}?q=${i},`
        : i % 3 === 1
          ? ` [reference ${i}](https://example.com/ref/${i} "Ref ${i}") and`
          : ` *note ${i}* <https://example.org/${i}>;`;
  }
  return `${out} done.\n`;
}

/** The three worst cases, by name: a 30 KB code block, a 400-row table, a 20 KB paragraph of links. */
export const worstCaseDocuments: Readonly<Record<string, string>> = {
  'code-30kb': codeBlock(30_000),
  'table-400': table(400),
  'links-20kb': paragraphOfLinks(20_000),
};
