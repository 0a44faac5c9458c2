// The load generator, run as a child process of api.bench.ts so that it does not share the server's event
// loop (or its V8 heap and garbage collector). It receives one LoadJob at a time over IPC and answers with a
// LoadResult.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Credential, LoadJob, LoadReply, LoadResult, SignInStats } from './load-protocol.ts';
import { summarize } from './stats.ts';

/** Fires every credential's sign-in at once, again and again, until stopped; counts how each went. */
function startSignInWaves(url: string, credentials: Credential[]) {
  const latencies: number[] = [];
  const waves: number[] = [];
  const failures = new Set<string>();
  let failed = 0;
  let stopping = false;

  async function signIn(credential: Credential): Promise<void> {
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        // As from a TLS-terminating proxy: production serves HTTPS only.
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify(credential),
      });
      await response.arrayBuffer();
      if (response.ok) {
        latencies.push(performance.now() - started);
      } else {
        failed += 1;
        failures.add(`HTTP ${response.status}`);
      }
    } catch (error) {
      failed += 1;
      failures.add((error as Error).message);
    }
  }

  const running = (async () => {
    while (!stopping) {
      const started = performance.now();
      await Promise.all(credentials.map(signIn));
      waves.push(performance.now() - started);
    }
  })();

  return {
    /** Lets the wave in flight finish, then reports. */
    async stop(): Promise<SignInStats> {
      stopping = true;
      await running;
      return { waves: waves.length, ok: latencies.length, failed, failures: [...failures], latency: summarize(latencies), wave: summarize(waves) };
    },
  };
}

async function run(job: LoadJob, windowEnded: () => void): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  // With one request in flight per connection (closed loop, no pipelining), a connection's next request
  // leaves when its previous response arrives: that moment is when the request in flight started.
  const lastResponseAt = new Map<unknown, number>();
  const waves = job.signIns ? startSignInWaves(job.signIns.url, job.signIns.credentials) : undefined;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const instance = autocannon({ url: job.url, connections: job.connections, duration: job.seconds, headers: job.headers });
  instance.on('response', (client, statusCode, _bytes, responseTime) => {
    lastResponseAt.set(client, performance.now());
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else non2xx += 1;
  });
  const result = await instance;
  const ended = performance.now();
  windowEnded();
  const elapsedSeconds = (ended - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const completed = summarize(latencies);
  const waiting = [...lastResponseAt.values()].map((at) => ended - at);
  for (let i = lastResponseAt.size; i < job.connections; i += 1) waiting.push(ended - started);
  const stuck = waiting.filter((age) => !(age <= completed.p99));
  const signIns = waves ? await waves.stop() : undefined;
  return {
    id: job.id,
    requestsPerSecond: latencies.length / elapsedSeconds,
    ok: latencies.length,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    elapsedSeconds,
    latency: summarize([...latencies, ...stuck]),
    stuckAtEnd: stuck.length,
    oldestAtEndMs: Math.max(0, ...waiting),
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(signIns ? { signIns } : {}),
  };
}

process.on('message', (job: LoadJob) => {
  const reply = (message: LoadReply) => process.send?.(message);
  run(job, () => reply({ id: job.id, windowEnd: true })).then(reply, (error: unknown) =>
    reply({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
// The parent went away (finished or crashed): nothing left to do.
process.on('disconnect', () => process.exit(0));
