import type { AlertEvent, RuleWebhookInput } from '@plexus/contracts';
import type { RuleSource } from './alert-engine.ts';
import type { AlertPublisher } from './alert-publisher.ts';

/** The parts of AlertStore and WebhookDelivery the dispatcher uses. */
export interface AlertRecorder {
  record(events: readonly AlertEvent[]): Promise<AlertEvent[]>;
}
export interface WebhookQueue {
  enqueue(webhook: RuleWebhookInput, event: AlertEvent): Promise<boolean>;
}

export interface AlertDispatcherOptions {
  alerts: AlertRecorder;
  rules: RuleSource;
  publisher: AlertPublisher;
  webhooks: WebhookQueue | null;
  /** MQTT is a live feed: a failed publish is reported, and the alert stays stored and listable. */
  onPublishFailure: (event: AlertEvent, error: unknown) => void;
}

export interface DispatchResult {
  /** Events that were new to the store, and so were published. */
  recorded: number;
  webhooksQueued: number;
}

/**
 * What happens to the engine's transitions: stored first (a replay stops here, as the store
 * knows them), then published on `alerts/{ruleId}/{deviceId}` and queued for the rule's webhook.
 * Resolves once stored and queued, so a stream consumer may checkpoint after it.
 */
export class AlertDispatcher {
  private readonly options: AlertDispatcherOptions;

  constructor(options: AlertDispatcherOptions) {
    this.options = options;
  }

  async dispatch(events: readonly AlertEvent[]): Promise<DispatchResult> {
    if (events.length === 0) return { recorded: 0, webhooksQueued: 0 };
    const { alerts, rules, publisher, webhooks, onPublishFailure } = this.options;
    const recorded = await alerts.record(events);
    let webhooksQueued = 0;
    // One at a time: an alert's opening must reach subscribers before its resolution.
    for (const event of recorded) {
      await publisher.publish(event).catch((error: unknown) => onPublishFailure(event, error));
      const webhook = rules.rulesOf(event.alert.tenantId).find((rule) => rule.id === event.alert.ruleId)?.webhook;
      if (webhook && webhooks && (await webhooks.enqueue(webhook, event))) webhooksQueued++;
    }
    return { recorded: recorded.length, webhooksQueued };
  }
}
