/**
 * A child process that speaks JSON lines on stdout (the Go `benchgo` and our `agent.js`): keeps
 * every message, lets the caller wait for one of a type, and stops the child by its pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** Children still running, killed if the orchestrator exits (e.g. Ctrl-C) before stopping them. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(130));
}

/** One JSON line from a child. */
export type ChildMessage = { type: string } & Record<string, unknown>;

/** A running JSON-lines child. */
export class JsonChild {
  readonly process: ChildProcess;
  readonly messages: ChildMessage[] = [];
  readonly #byType = new Map<string, ChildMessage[]>();
  readonly #exited: Promise<unknown>;
  #waiters: { type: string; count: number; resolve(): void }[] = [];
  #onMessage: ((m: ChildMessage) => void) | undefined;

  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.process = spawn(command, args, {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...env },
    });
    this.#exited = once(this.process, "exit");
    live.add(this.process);
    void this.#exited.then(() => live.delete(this.process));
    createInterface({ input: this.process.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let msg: ChildMessage;
      try {
        msg = JSON.parse(line) as ChildMessage;
      } catch {
        return;
      }
      if (msg.type === "starts" && Array.isArray(msg["t"])) {
        // A batch of start timestamps: one `start` message each.
        for (const t of msg["t"] as number[]) this.#add({ type: "start", t });
      } else {
        this.#add(msg);
      }
      this.#waiters = this.#waiters.filter((w) => {
        if (this.count(w.type) < w.count) return true;
        w.resolve();
        return false;
      });
    });
  }

  #add(msg: ChildMessage): void {
    this.messages.push(msg);
    const list = this.#byType.get(msg.type);
    if (list) list.push(msg);
    else this.#byType.set(msg.type, [msg]);
    this.#onMessage?.(msg);
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  /** Calls `fn` on every message from now on. */
  onMessage(fn: (m: ChildMessage) => void): void {
    this.#onMessage = fn;
  }

  /** Messages of `type` so far. */
  count(type: string): number {
    return this.#byType.get(type)?.length ?? 0;
  }

  /** Messages of `type` so far. */
  ofType(type: string): ChildMessage[] {
    return this.#byType.get(type) ?? [];
  }

  /** Resolves once `count` messages of `type` arrived; rejects on exit, error line or timeout. */
  async waitFor(type: string, timeoutMs: number, count = 1): Promise<ChildMessage> {
    const error = this.messages.find((m) => m.type === "error");
    if (error) throw new Error(`child ${this.pid}: ${String(error["error"])}`);
    if (this.count(type) < count) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#waiters.push({ type, count, resolve })),
        this.#exited.then(() => {
          const err = this.messages.find((m) => m.type === "error");
          throw new Error(
            `child ${this.pid} exited before ${type}${err ? `: ${err["error"]}` : ""}`,
          );
        }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`child ${this.pid}: timed out waiting for ${type}`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    }
    return this.ofType(type)[count - 1] as ChildMessage;
  }

  /** Resolves when the child has exited. */
  async exited(): Promise<void> {
    await this.#exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once exited. */
  async stop(graceMs = 15_000): Promise<void> {
    const p = this.process;
    if (p.exitCode !== null || p.signalCode !== null) return;
    p.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    }, graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
