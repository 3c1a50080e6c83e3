import { describe, expect, it } from 'vitest';
import { readTsungCounts } from './tsung-log.ts';

describe('readTsungCounts', () => {
  it('takes the since-the-start column of the last dump and lists the error counters', () => {
    const log = [
      '# stats: dump at 1795709449',
      'stats: mqtt_connected 600 600',
      'stats: mqtt_published 1000 1000',
      'stats: mqtt_server_pubacked 900 900',
      'stats: error_connect_econnrefused 2 2',
      'stats: connect 600 5.8 7.8 31.5 0.3 0 0',
      '# stats: dump at 1795709459',
      'stats: mqtt_connected 400 1000',
      'stats: mqtt_published 19000 20000',
      'stats: mqtt_server_pubacked 19100 20000',
      'stats: error_connect_econnrefused 1 3'
    ].join('\n');
    expect(readTsungCounts(log)).toEqual({ published: 20_000, pubacked: 20_000, connected: 1000, errors: { connect_econnrefused: 3 } });
  });

  it('counts nothing in a log without MQTT counters', () => {
    expect(readTsungCounts('# stats: dump at 1795709449\nstats: users 0 0\n')).toEqual({ published: 0, pubacked: 0, connected: 0, errors: {} });
  });
});
