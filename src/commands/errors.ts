// Error replies shared by several families, with Redis 7.0's exact texts.

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const SYNTAX = 'ERR syntax error';
export const OVERFLOW = 'ERR increment or decrement would overflow';
export const NO_SUCH_KEY = 'ERR no such key';
export const OUT_OF_RANGE = 'ERR index out of range';
export const DB_INDEX_OUT_OF_RANGE = 'ERR DB index is out of range';
export const INVALID_EXPIRE = (cmd: string): string => `ERR invalid expire time in '${cmd}' command`;
export const STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const WRONG_ARITY = (cmd: string): string => `ERR wrong number of arguments for '${cmd}' command`;
export const NAN_OR_INFINITY = 'ERR increment would produce NaN or Infinity';
export const INVALID_CURSOR = 'ERR invalid cursor';
