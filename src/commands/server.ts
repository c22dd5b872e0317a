// Server commands (Redis server.c / config.c / networking.c client commands).
import type { CommandDecl } from '../dispatch/command';

export const serverCommands: CommandDecl[] = [];
