import { describe, expect, it } from 'vitest';
import { AGENT_COMPILE_CACHE_DIR, agentEnvironment } from './agent-environment.ts';

describe('agentEnvironment', () => {
  it('gives the agent a compile cache and keeps the rest of the environment', () => {
    expect(agentEnvironment({ PATH: '/usr/bin' })).toEqual({ PATH: '/usr/bin', NODE_COMPILE_CACHE: AGENT_COMPILE_CACHE_DIR });
  });

  it('keeps a compile cache directory someone chose', () => {
    expect(agentEnvironment({ NODE_COMPILE_CACHE: '/var/cache/node' })['NODE_COMPILE_CACHE']).toBe('/var/cache/node');
  });
});
