export { loadConfig } from './load-config.ts';
export { ConfigErrors } from './errors.ts';
export { ClusterNamespace, LogLevel, RedisUrl, loadConfigOrExit } from './common-settings.ts';
