import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from './access-rules.ts';
import { deviceTopics, parseDeviceTopic } from './device-topics.ts';
import { mountFilter, mountTopic, unmountTopic } from './tenant-mount.ts';
import { topicMatches } from './topic-rules.ts';

const device = { kind: 'device', deviceId: 'd-1' } as const;
const app = { kind: 'app' } as const;

describe('the device topic scheme', () => {
  it('parses every topic of the scheme and nothing else', () => {
    expect(parseDeviceTopic('devices/d-1/telemetry')).toEqual({ kind: 'telemetry', deviceId: 'd-1', stream: null, jobId: null });
    expect(parseDeviceTopic('devices/d-1/telemetry/power')).toMatchObject({ kind: 'telemetry', stream: 'power' });
    expect(parseDeviceTopic('devices/d-1/jobs/j-9/update')).toMatchObject({ kind: 'job-update', jobId: 'j-9' });
    expect(parseDeviceTopic(deviceTopics.shadowDelta('d-1'))).toMatchObject({ kind: 'shadow-delta' });
    for (const topic of ['devices/d-1', 'devices/d-1/other', 'things/d-1/telemetry', 'devices//telemetry', 'devices/d-1/telemetry/a/b']) {
      expect(parseDeviceTopic(topic)).toBeNull();
    }
  });
});

describe('publish rules', () => {
  it('let a device publish telemetry, shadow updates and gets, and job updates under its own id only', () => {
    for (const topic of ['devices/d-1/telemetry', 'devices/d-1/telemetry/gps', 'devices/d-1/shadow/update', 'devices/d-1/shadow/get', 'devices/d-1/jobs/j/update']) {
      expect(mayPublish(device, topic)).toBe(true);
    }
    for (const topic of [
      'devices/d-2/telemetry', // another device
      'devices/d-1/commands', // downlink is the platform's
      'devices/d-1/shadow/update/delta',
      'devices/d-1/jobs/notify',
      'devices/+/telemetry', // wildcards are never names
      'elsewhere/d-1'
    ]) {
      expect(mayPublish(device, topic)).toBe(false);
    }
  });

  it('let apps send commands and desired state, never telemetry or platform results', () => {
    expect(mayPublish(app, 'devices/d-7/commands')).toBe(true);
    expect(mayPublish(app, 'devices/d-7/shadow/update')).toBe(true);
    expect(mayPublish(app, 'devices/d-7/telemetry')).toBe(false);
    expect(mayPublish(app, 'devices/d-7/shadow/update/accepted')).toBe(false);
  });
});

describe('subscribe rules', () => {
  it('keep a device inside its own subtree, whatever the wildcards', () => {
    expect(maySubscribe(device, 'devices/d-1/commands')).toBe(true);
    expect(maySubscribe(device, 'devices/d-1/#')).toBe(true);
    expect(maySubscribe(device, 'devices/d-1/shadow/+/delta')).toBe(true);
    for (const filter of ['devices/+/commands', 'devices/#', '#', 'devices/d-10/commands', 'devices/d-1', 'devices/d-1/a#']) {
      expect(maySubscribe(device, filter)).toBe(false);
    }
  });

  it('let apps subscribe to any valid filter of their tenant', () => {
    expect(maySubscribe(app, 'devices/+/telemetry')).toBe(true);
    expect(maySubscribe(app, '#')).toBe(true);
    expect(maySubscribe(app, 'devices/+/tele#')).toBe(false);
  });
});

describe('tenant mounting', () => {
  it('keeps tenants apart, wildcards and shared subscriptions included', () => {
    const acmeAll = mountFilter('acme', '#');
    expect(topicMatches(acmeAll, mountTopic('acme', 'devices/d-1/telemetry'))).toBe(true);
    expect(topicMatches(acmeAll, mountTopic('acme-eu', 'devices/d-1/telemetry'))).toBe(false);
    expect(topicMatches(mountFilter('acme', '+/+/telemetry'), mountTopic('other', 'devices/d-1/telemetry'))).toBe(false);
    expect(mountFilter('acme', '$share/g/devices/+/telemetry')).toBe('$share/g/acme/devices/+/telemetry');
    expect(unmountTopic('acme', 'acme/devices/d-1/telemetry')).toBe('devices/d-1/telemetry');
    expect(unmountTopic('acme', 'acme-eu/devices/d-1/telemetry')).toBeNull();
  });
});
