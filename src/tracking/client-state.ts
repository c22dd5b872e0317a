// The client-side caching state of one connection (Redis's CLIENT_TRACKING_*
// flags, client_tracking_redirection and client_tracking_prefixes). A client
// with tracking off has none: Client.tracking is null.

import type { Client } from '../net/client';
import type { Protocol } from '../protocol/reply';

export const enum TrackingFlag {
  Bcast = 1,
  OptIn = 2,
  OptOut = 4,
  NoLoop = 8,
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
  Caching = 16,
  /** The redirect client went away. */
  BrokenRedirect = 32,
}

/**
 * Set in the protocol byte of a request sent to another shard when the keys the command reads
 * must be remembered for its client (see ShardLinks): the shard can't see the client's modes.
 */
export const TRACKED_READ = 0x80;

export class ClientTracking {
  flags = 0;
  /** Id of the client that receives this one's invalidations (0: itself), and the thread it lives on. */
  redirect = 0;
  redirectThread = -1;
  /** BCAST prefixes, by latin1 name. */
  readonly prefixes = new Map<string, Buffer>();
  /** The command CLIENT CACHING applied to has run: the mode ends when the next command starts. */
  private cachingSpent = false;

  /** True when the keys read by the command running now must be remembered for this client. */
  get remembersKeys(): boolean {
    const f = this.flags;
    if (f & TrackingFlag.Bcast) return false;
    if (f & TrackingFlag.OptIn) return (f & TrackingFlag.Caching) !== 0;
    if (f & TrackingFlag.OptOut) return (f & TrackingFlag.Caching) === 0;
    return true;
  }

  /** Before a command starts: CLIENT CACHING of an earlier command no longer applies. */
  commandStarts(): void {
    if (!this.cachingSpent) return;
    this.cachingSpent = false;
    this.flags &= ~TrackingFlag.Caching;
  }

  /**
   * After a command ran: as Redis's resetClient, CLIENT CACHING survives CLIENT commands and
   * the commands of a transaction (it then applies to the whole EXEC). It is dropped when the
   * next command starts, not now: an EXEC on several shards is still running.
   */
  commandEnded(wasClientCommand: boolean, inTransaction: boolean): void {
    if (!wasClientCommand && !inTransaction) this.cachingSpent = true;
  }
}

/**
 * The protocol byte of a client's request to another shard: its protocol, plus TRACKED_READ
 * when the keys it reads must be remembered (the receiving shard strips it, see protocolOf).
 */
export function requestProto(client: Client): Protocol {
  const tracking = client.tracking;
  return (tracking !== null && tracking.remembersKeys ? client.proto | TRACKED_READ : client.proto) as Protocol;
}

/** The protocol a request's protocol byte carries. */
export function protocolOf(byte: number): Protocol {
  return (byte & ~TRACKED_READ) as Protocol;
}
