/**
 * Runs the emulator in a child process (`node --import tsx test/helpers/emulator-child.ts`), so a
 * test can kill it mid-poll and restart it from its saved state, and a benchmark can measure the
 * listener's process without the emulator in it. Emulator methods are called over stdin/stdout
 * as JSON lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { EmulatorOptions } from "../../src/emulator/types.js";

const CHILD = fileURLToPath(new URL("./emulator-child.ts", import.meta.url));

/** What the child reports once listening. */
export interface EmulatorInfo {
  url: string;
  configUrl: string;
  controlUrl: string;
  token: string;
  caPem?: string;
  port: number;
}

/** A handle on an emulator child process. */
export interface EmulatorProcess extends EmulatorInfo {
  readonly child: ChildProcess;
  /** Calls `emulator[method](...args)` in the child and returns its (JSON) result. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** SIGKILL, no cleanup (state saved so far stays). */
  kill(): Promise<void>;
  /** Graceful: `emulator.close()` then exit. */
  stop(): Promise<void>;
}

/** Starts an emulator child with `options` and waits until it listens. */
export async function startEmulatorProcess(options: EmulatorOptions): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let ready: (info: EmulatorInfo) => void = () => {};
  let failed: (err: Error) => void = () => {};
  const started = new Promise<EmulatorInfo>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  lines.on("line", (line) => {
    const msg = JSON.parse(line) as {
      ready?: EmulatorInfo;
      id?: number;
      result?: unknown;
      error?: string;
    };
    if (msg.ready) return ready(msg.ready);
    const p = pending.get(msg.id ?? -1);
    if (!p) return;
    pending.delete(msg.id ?? -1);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve(msg.result);
  });
  const exited = once(child, "exit");
  void exited.then(() => {
    failed(new Error("emulator child exited before it was ready"));
    for (const p of pending.values()) p.reject(new Error("emulator child exited"));
    pending.clear();
  });
  const info = await started;
  const call = <T>(method: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin?.write(`${JSON.stringify({ id, method, args })}\n`);
    });
  return {
    ...info,
    child,
    call,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.write(`${JSON.stringify({ id: 0, method: "__exit", args: [] })}\n`);
      }
      await exited;
    },
  };
}
