import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into lines as it arrives. A line longer than `maxLineBytes` is cut to
 * `maxLineBytes + 1` characters and the rest skipped up to its newline, so one endless line
 * cannot exhaust memory and the consumer still sees (and can report) that it was too long.
 */
export async function* ndjsonLines(source: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let current = '';
  let skipping = false;
  const take = (text: string): string[] => {
    const complete: string[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n', start); newline !== -1; newline = text.indexOf('\n', start)) {
      const piece = text.slice(start, newline);
      complete.push(skipping ? current : current + piece);
      current = '';
      skipping = false;
      start = newline + 1;
    }
    if (!skipping) current += text.slice(start);
    if (!skipping && current.length > maxLineBytes) {
      current = current.slice(0, maxLineBytes + 1);
      skipping = true;
    }
    return complete;
  };
  for await (const chunk of source) {
    yield* take(typeof chunk === 'string' ? chunk : decoder.write(chunk)).map((line) => line.replace(/\r$/, ''));
  }
  yield* take(decoder.end());
  if (current !== '') yield current.replace(/\r$/, '');
}
