import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandContext } from '../main.js';

/**
 * Parses a command's arguments with `node:util` parseArgs. On `--help` it prints the usage and
 * returns exit code 0; on a usage error it prints the problem and the usage and returns 2;
 * otherwise it returns the parsed values for the command to use.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
  ctx: CommandContext,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    return usageError(command, usage, (error as Error).message, ctx);
  }
  if ((parsed.values as Record<string, unknown>)['help']) {
    ctx.stdout.write(usage);
    return 0;
  }
  return parsed;
}

/** Prints a usage problem and the usage; returns exit code 2. */
export function usageError(command: string, usage: string, message: string, ctx: CommandContext): number {
  ctx.stderr.write(`warta ${command}: ${message}\n\n${usage}`);
  return 2;
}
