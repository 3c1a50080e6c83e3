export {
  SubscriptionTable,
  type Delivery,
  type QoS,
  type SubscribeOutcome,
  type SubscriptionOptions
} from './subscription-table.ts';
export { KeepaliveWheel, type KeepaliveWheelOptions } from './keepalive-wheel.ts';
