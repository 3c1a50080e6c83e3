import { describe, expect, it } from 'vitest';
import {
  checkFileMax,
  checkMemory,
  checkOpenFiles,
  checkPortRange,
  checkReservedPorts,
  DEFAULT_PLATFORM_PORTS,
  fileMaxNeeded,
  FILE_MAX_PATH,
  parseOpenFileLimits,
  parseReservedPorts,
  PORT_RANGE_PATH,
  RESERVED_PORTS_PATH,
  type PreflightPlan
} from './preflight-checks.ts';
import { loadtestPlatformErrors } from './errors.ts';

// Made-up /proc contents: the decisions are pure, the machine is whatever the test says.

const limits = (soft: string, hard: string) => `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     
Max locked memory         8388608              8388608              bytes     
`;

const meminfo = (availableKb: number) => `MemTotal:       32768000 kB
MemFree:         1000000 kB
MemAvailable:   ${String(availableKb).padStart(9)} kB
Buffers:          200000 kB
`;

const million: PreflightPlan = { agents: 60, connectionsPerAgent: 16_667, devices: 1_000_000, platformListenPorts: DEFAULT_PLATFORM_PORTS, sourceAddresses: 240 };
const small: PreflightPlan = { agents: 2, connectionsPerAgent: 500, devices: 1_000, platformListenPorts: DEFAULT_PLATFORM_PORTS, sourceAddresses: 2 };

describe('open-file limit', () => {
  it('reads soft and hard limits, unlimited as Infinity', () => {
    expect(parseOpenFileLimits(limits('1024', '20000'))).toEqual({ soft: 1024, hard: 20_000 });
    expect(parseOpenFileLimits(limits('unlimited', 'unlimited'))).toEqual({ soft: Infinity, hard: Infinity });
    expect(() => parseOpenFileLimits('Max cpu time unlimited unlimited seconds')).toThrow(
      expect.objectContaining({ code: loadtestPlatformErrors.unexpectedProcText.code })
    );
  });

  it('passes when the soft limit holds an agent’s connections and the margin', () => {
    expect(checkOpenFiles(million, limits('20000', '20000')).check.ok).toBe(true);
  });

  it('asks to raise the soft limit up to the hard one', () => {
    const { check } = checkOpenFiles(million, limits('1024', '20000'));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("ulimit -n 20000");
  });

  it('explains that the hard limit is out of reach and how many connections an agent may hold', () => {
    const { check, write } = checkOpenFiles({ ...million, connectionsPerAgent: 25_000 }, limits('20000', '20000'));
    expect(check.ok).toBe(false);
    expect(write).toBeUndefined();
    expect(check.detail).toContain('at most 19800 connections');
    expect(check.detail).toContain('20,000');
  });
});

describe('fs.file-max', () => {
  it('passes when it holds both ends of every connection twice over', () => {
    expect(checkFileMax(million, '9223372036854775807\n', false).check.ok).toBe(true);
    expect(fileMaxNeeded(1_000_000)).toBeGreaterThan(4_000_000);
  });

  it('is written by root when lower, and recorded as fixed', () => {
    const decision = checkFileMax(million, '2466170\n', true);
    expect(decision.check.ok).toBe(true);
    expect(decision.write).toEqual({ path: FILE_MAX_PATH, value: String(fileMaxNeeded(1_000_000)) });
    expect(decision.check.fixed).toContain(FILE_MAX_PATH);
  });

  it('fails without root, with the command to run', () => {
    const decision = checkFileMax(million, '2466170\n', false);
    expect(decision.check.ok).toBe(false);
    expect(decision.write).toBeUndefined();
    expect(decision.check.detail).toContain(`sysctl -w fs.file-max=${fileMaxNeeded(1_000_000)}`);
  });
});

describe('ephemeral port range', () => {
  it('passes when each source address keeps its share inside the range, and then writes nothing', () => {
    const decision = checkPortRange(million, '32768\t60999\n', true);
    expect(decision.check.ok).toBe(true);
    expect(decision.write).toBeUndefined();
  });

  it('is widened by root when one address would need more ports than the range has', () => {
    const decision = checkPortRange({ ...small, devices: 40_000, sourceAddresses: 1 }, '32768\t60999\n', true);
    expect(decision.check.ok).toBe(true);
    expect(decision.write).toEqual({ path: PORT_RANGE_PATH, value: '1024 65000' });
  });

  it('says how many source addresses are needed when it cannot widen', () => {
    const decision = checkPortRange({ ...million, sourceAddresses: 10 }, '32768\t60999\n', false);
    expect(decision.check.ok).toBe(false);
    // 28,232 ports per (source address, destination) pair: a million devices need 36 addresses.
    expect(decision.check.detail).toContain('at least 36 source addresses');
    expect(decision.check.detail).toContain('sysctl -w net.ipv4.ip_local_port_range="1024 65000"');
  });

  it('fails even as root when widening is not enough', () => {
    const decision = checkPortRange({ ...million, sourceAddresses: 10 }, '32768 60999', true);
    expect(decision.check.ok).toBe(false);
    expect(decision.write).toBeUndefined();
  });
});

describe('reserved listener ports', () => {
  it('reads ports and ranges', () => {
    expect(parseReservedPorts('1883,8080-8082\n')).toEqual([
      { low: 1883, high: 1883 },
      { low: 8080, high: 8082 }
    ]);
    expect(parseReservedPorts('\n')).toEqual([]);
  });

  it('needs nothing while the range lies above every listener', () => {
    expect(checkReservedPorts(million, '\n', { low: 32768, high: 60999 }, true)).toEqual({ check: expect.objectContaining({ ok: true }) });
  });

  it('reserves the platform ports and the dashboard, as root, before a widened range covers them', () => {
    const decision = checkReservedPorts(million, '5000\n', { low: 1024, high: 65000 }, true);
    expect(decision.check.ok).toBe(true);
    expect(decision.write).toEqual({ path: RESERVED_PORTS_PATH, value: '5000,1883,4567,6379,8080,8081,8091,8883,9100,27017' });
  });

  it('keeps what is already reserved and fails without root, with the command', () => {
    const decision = checkReservedPorts(million, '1883,8080-8091\n', { low: 1024, high: 65000 }, false);
    expect(decision.check.ok).toBe(false);
    expect(decision.check.detail).toContain('ports 4567, 6379, 8883, 9100, 27017 lie in');
    expect(decision.check.detail).toContain('ip_local_reserved_ports=1883,8080-8091,4567,6379,8883,9100,27017');
  });
});

describe('memory budget', () => {
  it('passes with room to spare', () => {
    expect(checkMemory(small, meminfo(24_000_000)).check).toEqual(expect.objectContaining({ ok: true }));
  });

  it('counts connections and every process at rest, warns when tight and fails with the fleet that would fit', () => {
    // A million devices: 18.5 KiB each (17.6 GiB), 53 gateway workers and a primary at 140 MiB
    // (7.4 GiB), 60 agents at 60 MiB (3.5 GiB), 1 GiB for planes and engines: 29.5 GiB.
    const tight = checkMemory(million, meminfo(32 * 1024 * 1024)).check;
    expect(tight.ok).toBe(true);
    expect(tight.detail).toContain('29.5 GiB needed');
    expect(tight.detail).toContain('7.4 GiB for 53 gateway workers');
    expect(tight.detail).toContain('tight');
    const short = checkMemory(million, meminfo(16_000_000)).check;
    expect(short.ok).toBe(false);
    expect(short.detail).toContain('15.3 GiB available');
    const fitting = Number(/run at most ~(\d+) devices here/.exec(short.detail)?.[1]);
    expect(fitting).toBeGreaterThan(300_000);
    expect(fitting).toBeLessThan(600_000);
  });
});
