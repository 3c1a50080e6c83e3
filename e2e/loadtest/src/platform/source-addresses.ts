import { loadtestPlatformErrors } from './errors.ts';

// Every (source address, destination) pair offers one ephemeral port range (~28k to ~64k ports),
// and the connect rate from one bound address collapsed to ~100/s past ~15k ports when measured
// here; so agents spread their connections over several loopback addresses, as the reference
// benchmark spread its clients over 220 aliases. Agent `a` owns 127.<1 + a div 250>.<a mod 250>.x:
// the 127.0.0.0/16 block (and with it 127.0.0.1) is never handed out, and no two agents share one.

/** Connections per source address the suite plans for, well under the point where connects slowed down. */
export const CONNECTIONS_PER_SOURCE_ADDRESS = 5_000;
const AGENTS_PER_SECOND_OCTET = 250;
const MAX_AGENTS = AGENTS_PER_SECOND_OCTET * 255;
const MAX_ADDRESSES_PER_AGENT = 254;

/** The loopback addresses agent number `agentIndex` binds its connections to. */
export function sourceAddressesFor(agentIndex: number, perAgent: number): string[] {
  if (!Number.isInteger(agentIndex) || agentIndex < 0 || agentIndex >= MAX_AGENTS) {
    throw loadtestPlatformErrors.badSourceAddressRequest(`agent index ${agentIndex} is outside 0-${MAX_AGENTS - 1}`);
  }
  if (!Number.isInteger(perAgent) || perAgent < 1 || perAgent > MAX_ADDRESSES_PER_AGENT) {
    throw loadtestPlatformErrors.badSourceAddressRequest(`${perAgent} addresses per agent is outside 1-${MAX_ADDRESSES_PER_AGENT}`);
  }
  const prefix = `127.${1 + Math.floor(agentIndex / AGENTS_PER_SECOND_OCTET)}.${agentIndex % AGENTS_PER_SECOND_OCTET}`;
  return Array.from({ length: perAgent }, (_, offset) => `${prefix}.${offset + 1}`);
}

/** How many addresses an agent holding `connections` needs to stay at CONNECTIONS_PER_SOURCE_ADDRESS each or fewer. */
export function sourceAddressesPerAgent(connections: number): number {
  return Math.min(MAX_ADDRESSES_PER_AGENT, Math.max(1, Math.ceil(connections / CONNECTIONS_PER_SOURCE_ADDRESS)));
}
