import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../cli/warta.mjs', import.meta.url));

export interface RunningMainJob {
  process: ChildProcess;
  edgeUrl: string;
  apiUrl: string;
  /** Everything the job printed so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern` printed after the call. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

/** Starts `warta start` exactly as a user would, as a child process, and waits until it prints its URLs. */
export async function startMainJobProcess(args: string[], options: { env?: Record<string, string> } = {}): Promise<RunningMainJob> {
  const child = spawn(process.execPath, [CLI, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let output = '';
  const waiters: { pattern: RegExp; from: number; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const line = output.slice(waiter.from).split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waitForLine = (pattern: RegExp, timeoutMs = 20_000, from = output.length) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
      waiters.push({ pattern, from, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      void exited.then((code) => reject(new Error(`warta start exited with ${code} before printing ${pattern}; output:\n${output}`)));
      onData(Buffer.alloc(0));
    });

  await waitForLine(/Stop with Ctrl-C\./, 240_000, 0);
  const edgeUrl = /Local edge \(plays CloudFront\): (http:\/\/[^/\s]+)/.exec(output)?.[1];
  const apiUrl = /Ingest API .*: (http:\/\/[^/\s]+)\/articles/.exec(output)?.[1];
  if (!edgeUrl || !apiUrl) throw new Error(`could not read the URLs from:\n${output}`);
  return {
    process: child,
    edgeUrl,
    apiUrl,
    output: () => output,
    waitForLine: (pattern, timeoutMs) => waitForLine(pattern, timeoutMs),
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
