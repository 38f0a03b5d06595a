import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The W3C Feed Validation Service's checker, offline, in `../shared/tools/` beside the project. */
export const FEED_CHECKER = fileURLToPath(new URL('../../../shared/tools/validate-feed', import.meta.url));

/** Why the checker cannot run here (for a test's skip reason), or undefined when it can. */
export const feedCheckerMissing: string | undefined = !existsSync(FEED_CHECKER)
  ? `the W3C feed checker is not at ${FEED_CHECKER} (../shared beside the project)`
  : spawnSync('/usr/bin/python3', ['-c', 'import lxml, html5lib, rdflib'], { stdio: 'ignore' }).status !== 0
    ? 'the W3C feed checker needs python3-lxml, python3-html5lib and python3-rdflib (apt-get install)'
    : undefined;
