export { loadConfig } from './load-config.ts';
export { ConfigErrors } from './errors.ts';
