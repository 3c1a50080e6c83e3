export { createLogger, loggerOptions, type Logger } from './logger.ts';
export { metrics, MetricsRegistry, type MetricsPluginOptions } from './metrics-plugin.ts';
export { health, type HealthPluginOptions, type ReadinessCheck } from './health-plugin.ts';
