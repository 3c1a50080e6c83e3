import type { RegistryContext } from '@plexus/registry';
import type { ControlPlaneMetrics } from '../metrics.ts';

/** What every route plugin of the control plane is registered with. */
export interface RouteOptions {
  registry: RegistryContext;
  metrics: ControlPlaneMetrics;
}
