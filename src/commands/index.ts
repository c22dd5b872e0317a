// Every command family, in one list: the only place that enumerates them.
import type { CommandDecl } from '../dispatch/command';
import { connectionCommands } from './connection';
import { stringCommands } from './strings';
import { keyCommands } from './keys';
import { serverCommands } from './server';

export const allFamilies: ReadonlyArray<readonly CommandDecl[]> = [connectionCommands, serverCommands, stringCommands, keyCommands];
