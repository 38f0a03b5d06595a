#!/usr/bin/env node
// The `warta` command. The CLI is TypeScript run through tsx, so `npx warta` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
