import { describe, expect, it } from 'vitest';
import type { EngineExit } from '@plexus/engines';
import type { RunningService, ServiceDefinition } from './service.ts';
import { describeUnexpectedExit, Supervisor } from './supervisor.ts';

interface FakeService extends ServiceDefinition {
  crash(exit: EngineExit): void;
}

function fakeService(name: string, journal: string[]): FakeService {
  let end: (exit: EngineExit) => void = () => {};
  const exited = new Promise<EngineExit>((resolve) => {
    end = resolve;
  });
  const running: RunningService = {
    name,
    url: `test://${name}`,
    exited,
    stop: async () => {
      journal.push(`stop ${name}`);
      end({ code: 0, signal: null });
    }
  };
  return {
    name,
    start: async () => {
      journal.push(`start ${name}`);
      return running;
    },
    crash: (exit) => end(exit)
  };
}

describe('Supervisor', () => {
  it('starts in order and stops in reverse, apps before engines', async () => {
    const journal: string[] = [];
    const supervisor = new Supervisor();
    await supervisor.startAll(['redis', 'ferretdb-embedded', 'control-plane'].map((name) => fakeService(name, journal)));
    await supervisor.stopAll();
    expect(journal).toEqual([
      'start redis',
      'start ferretdb-embedded',
      'start control-plane',
      'stop control-plane',
      'stop ferretdb-embedded',
      'stop redis'
    ]);
  });

  it('reports which service ended on its own, and not the ones it stopped', async () => {
    const journal: string[] = [];
    const redis = fakeService('redis', journal);
    const app = fakeService('control-plane', journal);
    const supervisor = new Supervisor();
    await supervisor.startAll([redis, app]);
    redis.crash({ code: null, signal: 'SIGKILL' });
    const event = await supervisor.unexpectedExit;
    expect(describeUnexpectedExit(event)).toBe('redis stopped unexpectedly (signal SIGKILL)');
    await supervisor.stopAll();
    expect(journal.at(-1)).toBe('stop redis');
  });

  it('stops a service that finished starting after stop was requested, and starts no more', async () => {
    const journal: string[] = [];
    const supervisor = new Supervisor();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = fakeService('slow', journal);
    const slowStart: ServiceDefinition = { name: 'slow', start: () => gate.then(() => slow.start()) };
    const starting = supervisor.startAll([slowStart, fakeService('never', journal)]);
    const stopping = supervisor.stopAll();
    release();
    await starting;
    await stopping;
    expect(journal).toEqual(['start slow', 'stop slow']);
  });
});
