import { describe, expect, it } from 'vitest';
import { isValidTopicFilter, isValidTopicName, parseSharedSubscription, topicMatches } from './topic-rules.ts';

describe('topic names', () => {
  it('accept ordinary names, including empty levels and $-prefixed ones', () => {
    for (const name of ['a', 'a/b/c', '/a', 'a//b', '$SYS/x', ' spaced ', 'ünïcode/ok']) expect(isValidTopicName(name)).toBe(true);
  });

  it('reject empty names [MQTT-4.7.3-1], wildcards [MQTT-3.3.2-2], U+0000 [MQTT-4.7.3-2] and over 65,535 bytes [MQTT-4.7.3-3]', () => {
    for (const name of ['', 'a/+', 'a/#', '#', 'a\u0000b', 'é'.repeat(32_768)]) expect(isValidTopicName(name)).toBe(false);
  });
});

describe('topic filters', () => {
  it('accept wildcards that occupy whole levels', () => {
    for (const filter of ['#', '+', 'a/#', '+/+', 'a/+/c', '/+', '+/', 'a/b']) expect(isValidTopicFilter(filter)).toBe(true);
  });

  it("reject '#' that is not alone and last [MQTT-4.7.1-1] and '+' sharing a level [MQTT-4.7.1-2]", () => {
    for (const filter of ['a#', 'a/#/b', '#/a', 'a/b#', 'a+', 'a/+b', '++', '', 'a\u0000']) expect(isValidTopicFilter(filter)).toBe(false);
  });
});

describe('topicMatches', () => {
  const cases: [string, string, boolean][] = [
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a/b/c', true],
    ['a/#', 'a', true], // '#' also matches the parent level
    ['+/+', '/x', true], // empty levels are levels
    ['+', '/x', false],
    ['#', 'anything/at/all', true],
    ['a/b/c', 'a/b', false],
    ['#', '$SYS/info', false], // [MQTT-4.7.2-1]
    ['+/info', '$SYS/info', false], // [MQTT-4.7.2-1]
    ['$SYS/#', '$SYS/info', true]
  ];
  it.each(cases)('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('shared subscriptions', () => {
  it('split $share/{ShareName}/{filter}', () => {
    expect(parseSharedSubscription('$share/workers/devices/+/telemetry')).toEqual({ shareName: 'workers', filter: 'devices/+/telemetry' });
    expect(parseSharedSubscription('devices/+/telemetry')).toBeNull();
  });

  it('reject an empty ShareName [MQTT-4.8.2-1], wildcards in it or no filter after it [MQTT-4.8.2-2]', () => {
    for (const filter of ['$share//a', '$share/a', '$share/g+/a', '$share/g#/a', '$share/g/', '$share/g/a#']) {
      expect(parseSharedSubscription(filter)).toBeNull();
    }
  });
});
