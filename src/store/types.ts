// Shared vocabulary of the per-shard store.

export const enum ValueType { String = 0, List = 1, Set = 2, ZSet = 3, Hash = 4, Stream = 5 }

/** expireAt value meaning "no TTL". */
export const NO_EXPIRE = -1;

/** Byte offsets of the u32 fields of a packed value's state (src/store/keyspace.ts) in its keyspace record. */
export const enum PackedField { Block = 0, ByteLength = 4, Count = 8 }
