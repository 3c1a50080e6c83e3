export { isValidTopicFilter, isValidTopicName, parseSharedSubscription, topicMatches, type SharedSubscription } from './topic-rules.ts';
export { deviceTopics, parseDeviceTopic, type DeviceTopic, type DeviceTopicKind } from './device-topics.ts';
export { mayPublish, mayPublishParsed, maySubscribe, type TopicPrincipal } from './access-rules.ts';
export { mountFilter, mountTopic, unmountTopic } from './tenant-mount.ts';
