import type { Logger } from 'pino';

/**
 * Runs a job now and then every `everyMs` until stopped; a failure is logged and the next run tries again.
 * The timer does not keep the process alive. Returns the function that stops it.
 */
export function scheduleJob(name: string, everyMs: number, job: () => Promise<unknown>, log: Logger): () => void {
  const run = () => job().catch((error: unknown) => log.error({ err: error, job: name }, `${name} failed`));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
