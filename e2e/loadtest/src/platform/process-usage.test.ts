import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { within } from '@plexus/test-harness';
import { parseProcessStat, parseResidentBytes, processNameOf, ProcessTreeUsage, sampleProcessTree } from './process-usage.ts';

describe('reading /proc text', () => {
  it('takes ppid and CPU ticks after the command name, which may hold spaces and parentheses', () => {
    const stat = '4242 (node (worker) x) S 4200 4242 4200 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 11 0 1679328 3133440 389 0';
    expect(parseProcessStat(stat)).toEqual({ ppid: 4200, cpuUserMs: 12_340, cpuSystemMs: 560 });
  });

  it('takes VmRSS in bytes, 0 when absent', () => {
    expect(parseResidentBytes('Name:\tnode\nVmRSS:\t   51200 kB\nThreads:\t11\n')).toBe(51_200 * 1024);
    expect(parseResidentBytes('Name:\tzombie\nState:\tZ (zombie)\n')).toBe(0);
  });

  it.each([
    ['/work/.tools/node/bin/node\0/work/apps/control-plane/src/main.ts\0', undefined, 'control-plane'],
    ['/usr/bin/node\0--max-semi-space-size=2\0/work/apps/mqtt-gateway/src/main.ts\0', 'mqtt-gateway', 'mqtt-gateway worker'],
    ['/usr/bin/node\0/work/apps/mqtt-gateway/src/main.ts\0', 'plexus start', 'mqtt-gateway'],
    ['/usr/bin/node\0/work/libs/engines/src/kinesalite-server.ts\0--port\x004567\0', 'plexus start', 'kinesalite'],
    ['node\0/work/tools/platform/src/main.ts\0start\0', undefined, 'plexus start'],
    ['redis-server 127.0.0.1:6379\0', 'plexus start', 'redis-server'],
    ['/work/.tools/bin/ferretdb-embedded\0--listen-addr=127.0.0.1:27017\0', 'plexus start', 'ferretdb'],
    ['/usr/bin/node\0/work/e2e/loadtest/src/agent/agent-main.ts\0', 'main', 'agent-main'],
    ['/usr/bin/sleep\u00005\0', undefined, 'sleep']
  ])('names %j (parent %s) %s', (cmdline, parent, name) => {
    expect(processNameOf(cmdline, parent)).toBe(name);
  });
});

describe('sampleProcessTree', () => {
  const children: { kill(): boolean }[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
  });

  it('finds a process and its descendants with CPU and RSS, numbering namesakes', async () => {
    // A shell with two sleeping children: three live processes whose tree we know.
    const shell = spawn('sh', ['-c', 'sleep 30 & sleep 30 & echo started; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(shell);
    await within(once(shell.stdout, 'data'), 5_000, 'the shell started its children');
    const samples = sampleProcessTree(shell.pid as number);
    expect(samples.map((sample) => sample.name)).toEqual(['sh', 'sleep 1', 'sleep 2']);
    expect(samples[0]?.pid).toBe(shell.pid);
    expect(samples.filter((sample) => sample.ppid === shell.pid)).toHaveLength(2);
    for (const sample of samples) expect(sample.rssBytes).toBeGreaterThan(0);
    expect(sampleProcessTree(2 ** 22 + 1)).toEqual([]);
  });

  it('measures CPU over the run from the first sample and keeps the peak RSS', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end); console.log("done"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(busy);
    const usage = new ProcessTreeUsage([busy.pid as number]);
    usage.sample();
    await within(once(busy.stdout, 'data'), 10_000, 'the busy loop ended');
    usage.sample();
    const [entry] = usage.summary();
    expect(entry?.name).toBe('node');
    expect(entry?.usage.pid).toBe(busy.pid);
    expect((entry?.usage.cpuUserMs ?? 0) + (entry?.usage.cpuSystemMs ?? 0)).toBeGreaterThan(100);
    expect(entry?.peakRssBytes).toBeGreaterThanOrEqual(entry?.usage.rssBytes ?? Infinity);
  });
});
