import { parseArgs } from 'node:util';
import type { PartnerRepository } from '../../shared/partners/partner.js';
import { readPartnerRegistryFile } from '../../shared/partners/partner-registry-file.js';

const USAGE = `Usage: warta partners <command>

Commands:
  sync FILE      Load a registry file ({ "partners": [...] }) into the partner table; partners
                 missing from the file are left as they are (suspend them first to revoke access)
  list           Show every partner: id, status, licensed sections/tags, formats
  suspend ID     Stop issuing URLs to a partner and empty its objects at the next build
  activate ID    Reverse a suspension
`;

export interface PartnersContext {
  repository: PartnerRepository;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `warta partners sync|list|suspend|activate`. Exit codes: 0 ok, 2 usage, 1 failure. */
export async function partnersCommand(args: string[], ctx: PartnersContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    ctx.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, arg, extra] = parsed.positionals;
  if (parsed.values.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const needsArg = command === 'sync' || command === 'suspend' || command === 'activate';
  if (!command || (needsArg && !arg) || (!needsArg && arg) || extra || !['sync', 'list', 'suspend', 'activate'].includes(command)) {
    ctx.stderr.write(USAGE);
    return 2;
  }
  try {
    switch (command) {
      case 'sync': {
        const partners = await readPartnerRegistryFile(arg as string);
        for (const partner of partners) await ctx.repository.put(partner);
        ctx.stdout.write(`synced ${partners.length} partner(s): ${partners.map((p) => `${p.id} (${p.status})`).join(', ')}\n`);
        return 0;
      }
      case 'list': {
        for (const p of await ctx.repository.list()) {
          const licence = [...p.sections.map((s) => `section:${s}`), ...p.tags.map((t) => `tag:${t}`)].join(',');
          const extras = [p.fullText ? 'fulltext' : 'summary', p.images ? 'images' : 'no-images', p.tokenSha256 ? 'token' : 'no-token'];
          ctx.stdout.write(`${p.id}\t${p.status}\t${licence}\t${p.formats.join(',')}\t${extras.join(',')}\n`);
        }
        return 0;
      }
      default: {
        const partner = await ctx.repository.get(arg as string);
        if (!partner) {
          ctx.stderr.write(`unknown partner: ${arg}\n`);
          return 1;
        }
        const status = command === 'suspend' ? 'suspended' : 'active';
        await ctx.repository.put({ ...partner, status });
        ctx.stdout.write(`${partner.id}: ${status}\n`);
        return 0;
      }
    }
  } catch (error) {
    ctx.stderr.write(`warta partners ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}
