import { describe, expect, it } from 'vitest';
import { loadtestPlatformErrors } from './errors.ts';
import { CONNECTIONS_PER_SOURCE_ADDRESS, sourceAddressesFor, sourceAddressesPerAgent } from './source-addresses.ts';

describe('sourceAddressesFor', () => {
  it('gives every agent its own loopback addresses, never 127.0.0.1 nor the 127.0.0.0/16 block', () => {
    const agents = 300;
    const all = Array.from({ length: agents }, (_, agentIndex) => sourceAddressesFor(agentIndex, 4)).flat();
    expect(new Set(all).size).toBe(agents * 4);
    for (const address of all) {
      const octets = address.split('.').map(Number);
      expect(octets).toHaveLength(4);
      expect(octets[0]).toBe(127);
      expect(octets[1]).toBeGreaterThanOrEqual(1);
      expect(octets.every((octet) => Number.isInteger(octet) && octet >= 0 && octet <= 255)).toBe(true);
      expect(octets[3]).toBeGreaterThanOrEqual(1);
    }
    expect(sourceAddressesFor(0, 2)).toEqual(['127.1.0.1', '127.1.0.2']);
    expect(sourceAddressesFor(251, 1)).toEqual(['127.2.1.1']);
  });

  it('spreads a million devices over ~60 agents as ≥ 220 addresses of at most 5,000 connections', () => {
    const devices = 1_000_000;
    const agents = 60;
    const perAgent = sourceAddressesPerAgent(Math.ceil(devices / agents));
    const addresses = Array.from({ length: agents }, (_, agentIndex) => sourceAddressesFor(agentIndex, perAgent)).flat();
    expect(new Set(addresses).size).toBeGreaterThanOrEqual(220);
    expect(Math.ceil(devices / addresses.length)).toBeLessThanOrEqual(CONNECTIONS_PER_SOURCE_ADDRESS);
  });

  it('needs one address for a small agent and caps a huge one at 254', () => {
    expect(sourceAddressesPerAgent(10)).toBe(1);
    expect(sourceAddressesPerAgent(5_001)).toBe(2);
    expect(sourceAddressesPerAgent(10_000_000)).toBe(254);
  });

  it.each([
    [-1, 1],
    [1.5, 1],
    [63_750, 1],
    [0, 0],
    [0, 255]
  ])('refuses agent %s with %s addresses', (agentIndex, perAgent) => {
    expect(() => sourceAddressesFor(agentIndex, perAgent)).toThrow(expect.objectContaining({ code: loadtestPlatformErrors.badSourceAddressRequest.code }));
  });
});
