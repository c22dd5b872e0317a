// Versions reported to clients. `redis_version` says which Redis release we are
// compatible with (clients such as BullMQ gate features on it).
export const REDIS_VERSION = '7.0.15';
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const SERVER_VERSION: string = require('../../package.json').version;
