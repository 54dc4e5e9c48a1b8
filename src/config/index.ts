export { loadConfig, CONFIG_VARIABLES, LOG_LEVELS } from './config.js';
export type { Config, ConfigFlags, LogLevel } from './config.js';
export { BATON_VERSION } from './version.js';
