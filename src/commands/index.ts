// Every command family, in one list: the only place that enumerates them.
import type { CommandDecl } from '../dispatch/command';
import { connectionCommands } from './connection';
import { stringCommands } from './strings';
import { keyCommands } from './keys';
import { zsetCommands } from './zsets';
import { streamCommands } from './streams';
import { serverCommands } from './server';
import { bitmapCommands } from './bitmaps';
import { hyperloglogCommands } from './hyperloglog';
import { listCommands } from './lists';
import { hashCommands } from './hashes';
import { setCommands } from './sets';
import { transactionCommands } from './transactions';
import { crossBlockCommands } from './cross-block';
import { geoCommands } from './geo';
import { sortCommands } from './sort';
import { pubsubCommands } from './pubsub';
import { scriptingCommands } from './scripting';
import { clusterCommands } from './cluster';
import { functionCommands } from './functions';

export const allFamilies: ReadonlyArray<readonly CommandDecl[]> = [connectionCommands, serverCommands, stringCommands, keyCommands, bitmapCommands, hyperloglogCommands, listCommands, hashCommands, setCommands, zsetCommands, streamCommands, geoCommands, sortCommands, pubsubCommands, transactionCommands, scriptingCommands, clusterCommands, functionCommands, crossBlockCommands];
