// Every command family, in one list: the only place that enumerates them.
import type { CommandDecl } from '../dispatch/command';
import { connectionCommands } from './connection';
import { stringCommands } from './strings';

export const allFamilies: ReadonlyArray<readonly CommandDecl[]> = [connectionCommands, stringCommands];
