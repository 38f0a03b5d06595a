#!/usr/bin/env node
// The `warta` command. The CLI is TypeScript run through tsx, so `npx warta` needs no build step.
import { register } from 'tsx/esm/api';

// Warta supports Node 20 locally (Lambda runs 22+); the SDK's reminder about Node 22 would repeat on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
