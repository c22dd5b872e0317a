// How benchmark processes are launched: an argv, optionally pinned to CPUs or
// built from a user-supplied shell template.

export interface LaunchCommand {
  command: string;
  args: string[];
}

/** Wraps a command in `taskset -c <cpuList>`; taskset execs it, so the pid stays the command's. */
export function pinToCpus(launch: LaunchCommand, cpuList: string): LaunchCommand {
  return { command: 'taskset', args: ['-c', cpuList, launch.command, ...launch.args] };
}

/**
 * A command from a shell template such as `redis-server --port {port}`. `{name}`
 * placeholders are replaced from `values`; `exec` keeps the pid the server's own,
 * which /proc sampling relies on.
 */
export function fromShellTemplate(template: string, values: Readonly<Record<string, string | number>>): LaunchCommand {
  const script = template.replace(/\{(\w+)\}/g, (whole: string, name: string) =>
    name in values ? String(values[name]) : whole,
  );
  return { command: '/bin/sh', args: ['-c', `exec ${script}`] };
}

/** The command as a copy-pasteable shell line. */
export function describe(launch: LaunchCommand): string {
  return [launch.command, ...launch.args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
