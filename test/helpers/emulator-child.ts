/**
 * Child-process entry for {@link startEmulatorProcess}: starts the emulator with the JSON options
 * in argv[2], prints `{"ready":{…}}`, then serves `{"id","method","args"}` lines from stdin.
 */
import { createInterface } from "node:readline";
import { startEmulator } from "../../src/emulator/index.js";
import type { Emulator, EmulatorOptions } from "../../src/emulator/types.js";

const options = JSON.parse(process.argv[2] ?? "{}") as EmulatorOptions;
const emulator = await startEmulator(options);
const write = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
write({
  ready: {
    url: emulator.url,
    configUrl: emulator.configUrl,
    controlUrl: emulator.controlUrl,
    token: emulator.token,
    caPem: emulator.caPem,
    port: Number(new URL(emulator.url).port),
  },
});

const shutdown = async () => {
  await emulator.close();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown());
process.stdin.on("end", () => void shutdown());

createInterface({ input: process.stdin }).on("line", (line) => {
  const { id, method, args } = JSON.parse(line) as { id: number; method: string; args: unknown[] };
  if (method === "__exit") {
    void shutdown();
    return;
  }
  void (async () => {
    try {
      if (method === "queueJobsTimed") {
        // Wall-clock time (sub-ms) right before queueing, for reaction benchmarks.
        const queuedAt = performance.timeOrigin + performance.now();
        emulator.queueJobs(args[0] as Parameters<Emulator["queueJobs"]>[0]);
        write({ id, result: { queuedAt } });
        return;
      }
      const fn = (emulator as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
      if (typeof fn !== "function") throw new Error(`no emulator method ${method}`);
      const result = await fn.apply(emulator as Emulator, args);
      write({ id, result: result ?? null });
    } catch (err) {
      write({ id, error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
