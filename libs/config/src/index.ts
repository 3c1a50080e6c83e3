export { loadConfig } from './load-config.ts';
export { ConfigErrors } from './errors.ts';
export { LogLevel, RedisUrl, loadConfigOrExit } from './common-settings.ts';
