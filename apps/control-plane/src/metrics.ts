import { Counter } from 'prom-client';
import type { MetricsRegistry } from '@plexus/observability';

export interface ControlPlaneMetrics {
  bulkDevices: Counter<'outcome'>;
  connectAuthentications: Counter<'result'>;
}

export function createControlPlaneMetrics(registry: MetricsRegistry): ControlPlaneMetrics {
  return {
    bulkDevices: new Counter({
      name: 'plexus_registry_bulk_devices_total',
      help: 'Lines of bulk registrations by outcome (created, existing, failed)',
      labelNames: ['outcome'],
      registers: [registry]
    }),
    connectAuthentications: new Counter({
      name: 'plexus_registry_connect_authentications_total',
      help: 'MQTT CONNECTs authenticated for gateways, by result (allow or the deny reason)',
      labelNames: ['result'],
      registers: [registry]
    })
  };
}
