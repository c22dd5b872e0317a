// Shared vocabulary of the per-shard store.

export const enum ValueType { String = 0, List = 1, Set = 2, ZSet = 3, Hash = 4, Stream = 5 }

/** expireAt value meaning "no TTL". */
export const NO_EXPIRE = -1;
