import { describe, expect, it } from 'vitest';
import { ndjsonLines } from './ndjson-lines.ts';

async function collect(chunks: (string | Buffer)[], max = 100): Promise<string[]> {
  async function* source() {
    yield* chunks;
  }
  const lines: string[] = [];
  for await (const line of ndjsonLines(source(), max)) lines.push(line);
  return lines;
}

describe('ndjsonLines', () => {
  it('joins lines split across chunks and handles CRLF and a missing final newline', async () => {
    expect(await collect(['{"a"', ':1}\n{"b":2}\r\n', '{"c":3}'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('{"name":"Zürich"}\n');
    expect(await collect([bytes.subarray(0, 12), bytes.subarray(12)])).toEqual(['{"name":"Zürich"}']);
  });

  it('cuts an overlong line and resumes at the next one', async () => {
    const lines = await collect(['x'.repeat(30), 'y'.repeat(30), '\nok\n'], 10);
    expect(lines).toEqual(['x'.repeat(11), 'ok']);
  });
});
