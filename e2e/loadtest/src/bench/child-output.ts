import type { ChildProcess } from 'node:child_process';

/** A client process under measurement: the tail of what it printed (for failure messages) and its exit. */
export interface WatchedChild {
  output(): string;
  readonly exited: Promise<number | null>;
}

export function watchChild(child: ChildProcess): WatchedChild {
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}
