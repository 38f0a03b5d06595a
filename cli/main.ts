import { partnersOnTarget, rebuildOnTarget, signUrlOnTarget } from './commands/local-aware.js';
import { importCommand } from './commands/import.js';
import { parseCommand } from './commands/parse.js';
import { startCommand } from './commands/start.js';
import { syncCommand } from './commands/sync.js';

export interface CommandContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  now: () => Date;
}

type Command = { summary: string; run: (args: string[], ctx: CommandContext) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  start: { summary: 'run the whole pipeline locally and watch the inbox folder', run: startCommand },
  parse: { summary: 'print the article a file would become, without storing it', run: parseCommand },
  import: { summary: 'send a folder of article files through the ingest API (local job or AWS)', run: importCommand },
  sync: { summary: "pull a WordPress site's posts through its REST API into Warta", run: syncCommand },
  'sign-url': { summary: "print a signed URL for a partner's feeds (local key pair in the data folder)", run: signUrlOnTarget },
  rebuild: { summary: 'repair the related lists, feeds and partner outputs of given articles from the table', run: rebuildOnTarget },
  partners: { summary: 'sync, list, suspend or activate partners in the registry', run: partnersOnTarget },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: warta <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'warta <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Entry point of the `warta` command; returns the exit code. */
export async function main(argv: string[], ctx: CommandContext = { stdout: process.stdout, stderr: process.stderr, now: () => new Date() }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    ctx.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    ctx.stderr.write(`warta: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    ctx.stderr.write(`warta ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
