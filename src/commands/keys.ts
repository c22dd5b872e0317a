// Generic key commands (Redis db.c / expire.c).
import type { CommandDecl } from '../dispatch/command';

export const keyCommands: CommandDecl[] = [];
