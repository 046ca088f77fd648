/**
 * Starts the benchmark emulator in its own process (so its memory and CPU are not counted on
 * either side) and calls it over JSON lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { EmulatorOptions } from "../../src/emulator/types.js";
import { OUT_DIR } from "./build.js";

const CHILD = fileURLToPath(new URL("./emulator-child.ts", import.meta.url));

/** A running benchmark emulator. */
export interface BenchEmulator {
  url: string;
  configUrl: string;
  token: string;
  /** PEM file of the emulator's self-signed CA (TLS), for the Go side. */
  caFile: string | undefined;
  caPem: string | undefined;
  child: ChildProcess;
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** Starts an emulator child with `options`; resolves once it listens. */
export async function startBenchEmulator(options: EmulatorOptions): Promise<BenchEmulator> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const ready = new Promise<{ url: string; configUrl: string; token: string; caPem?: string }>(
    (resolve, reject) => {
      void exited.then(() => reject(new Error("emulator child exited before it was ready")));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const msg = JSON.parse(line) as {
          ready?: { url: string; configUrl: string; token: string; caPem?: string };
          id?: number;
          result?: unknown;
          error?: string;
        };
        if (msg.ready) return resolve(msg.ready);
        const p = pending.get(msg.id ?? -1);
        if (!p) return;
        pending.delete(msg.id ?? -1);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      });
    },
  );
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error("emulator child exited"));
    pending.clear();
  });
  const info = await ready;
  let caFile: string | undefined;
  if (info.caPem) {
    caFile = join(OUT_DIR, `emulator-ca-${child.pid}.pem`);
    writeFileSync(caFile, info.caPem);
  }
  return {
    url: info.url,
    configUrl: info.configUrl,
    token: info.token,
    caFile,
    caPem: info.caPem,
    child,
    call: <T>(method: string, ...args: unknown[]) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.stdin.write(`${JSON.stringify({ id, method, args })}\n`);
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.write(`${JSON.stringify({ id: 0, method: "__exit", args: [] })}\n`);
      }
      await exited;
    },
  };
}
