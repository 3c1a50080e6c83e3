// MQTT topic names and filters (MQTT 5.0 §4.7, identical in 3.1.1 §4.7). Each check cites the
// normative statement it exists for.

const MAX_TOPIC_BYTES = 65_535;

/** A topic name a PUBLISH may carry. */
export function isValidTopicName(name: string): boolean {
  if (name.length === 0) return false; // [MQTT-4.7.3-1] at least one character
  if (name.includes('+') || name.includes('#')) return false; // [MQTT-3.3.2-2] no wildcards in a topic name
  if (name.includes('\u0000')) return false; // [MQTT-4.7.3-2] no null character
  return Buffer.byteLength(name) <= MAX_TOPIC_BYTES; // [MQTT-4.7.3-3] a UTF-8 string of at most 65,535 bytes
}

/** A topic filter a SUBSCRIBE may carry (shared-subscription prefix already removed). */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000') || Buffer.byteLength(filter) > MAX_TOPIC_BYTES) return false; // [MQTT-4.7.3-1/2/3]
  const levels = filter.split('/');
  return levels.every((level, index) => {
    if (level.includes('#')) return level === '#' && index === levels.length - 1; // [MQTT-4.7.1-1] '#' alone and last
    if (level.includes('+')) return level === '+'; // [MQTT-4.7.1-2] '+' occupies a whole level
    return true;
  });
}

/** Whether `topic` (a valid name) matches `filter` (a valid filter). */
export function topicMatches(filter: string, topic: string): boolean {
  // [MQTT-4.7.2-1] a filter starting with a wildcard does not match topics starting with '$'.
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true; // also matches the parent level: 'a/#' matches 'a'
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

export interface SharedSubscription {
  readonly shareName: string;
  readonly filter: string;
}

/**
 * Splits `$share/{ShareName}/{filter}` (MQTT 5.0 §4.8.2); null when `filter` is not a shared
 * subscription, or when it is malformed.
 */
export function parseSharedSubscription(filter: string): SharedSubscription | null {
  if (!filter.startsWith('$share/')) return null;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null; // [MQTT-4.8.2-1] a ShareName of at least one character, then '/'
  const shareName = rest.slice(0, slash);
  if (shareName.includes('+') || shareName.includes('#')) return null; // [MQTT-4.8.2-2] no wildcards in ShareName
  const inner = rest.slice(slash + 1);
  return isValidTopicFilter(inner) ? { shareName, filter: inner } : null;
}
