/**
 * Follows the engine's `die` events for managed containers and reports them as runner exits.
 * @module
 */
import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import type { ProvisionedRunner } from "../../autoscaler/provider.js";
import type { Logger } from "../../util/logger.js";
import { LABEL_MANAGED_BY, LABEL_RUNNER_NAME, LABEL_SCALE_SET_ID } from "./labels.js";

const RECONNECT_MS = 1_000;
const EXIT_CODE_ATTRIBUTE = "exitCode";

interface DieEvent {
  Actor?: { Attributes?: Record<string, string | undefined> };
}

/** One events stream shared by every listener; opened with the first, closed with the last. */
export class ExitEvents {
  readonly #docker: Dockerode;
  readonly #logger: Logger;
  readonly #listeners = new Set<(runner: ProvisionedRunner) => void>();
  #stream: Readable | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(docker: Dockerode, logger: Logger) {
    this.#docker = docker;
    this.#logger = logger;
  }

  /** Adds a listener; returns its unsubscribe function. */
  subscribe(listener: (runner: ProvisionedRunner) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#open();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#close();
    };
  }

  #open(): void {
    const filters = {
      type: ["container" as const],
      event: ["die"],
      label: [`${LABEL_MANAGED_BY}=scaleset`],
    };
    this.#docker.getEvents({ filters }).then(
      (stream) => {
        const readable = stream as Readable;
        if (this.#listeners.size === 0) {
          readable.destroy();
          return;
        }
        this.#stream = readable;
        let buffer = "";
        readable.on("data", (chunk: Buffer) => {
          buffer += chunk.toString("utf8");
          let newline = buffer.indexOf("\n");
          while (newline >= 0) {
            this.#emit(buffer.slice(0, newline));
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf("\n");
          }
        });
        readable.on("error", () => {});
        readable.on("close", () => this.#reopen(readable));
      },
      (err: unknown) => {
        this.#logger.warn({ err: String(err) }, "docker events stream failed; retrying");
        this.#reopen(undefined);
      },
    );
  }

  #reopen(ended: Readable | undefined): void {
    if (ended !== this.#stream) return;
    this.#stream = undefined;
    if (this.#listeners.size === 0 || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#listeners.size > 0) this.#open();
    }, RECONNECT_MS);
  }

  #close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.destroy();
  }

  #emit(line: string): void {
    let event: DieEvent;
    try {
      event = JSON.parse(line) as DieEvent;
    } catch {
      return;
    }
    const attrs = event.Actor?.Attributes ?? {};
    const name = attrs[LABEL_RUNNER_NAME];
    const scaleSetId = Number(attrs[LABEL_SCALE_SET_ID]);
    if (!name || !Number.isSafeInteger(scaleSetId)) return;
    const code = attrs[EXIT_CODE_ATTRIBUTE];
    const runner: ProvisionedRunner = {
      name,
      scaleSetId,
      state: "exited",
      exitCode: code === undefined ? undefined : Number(code),
    };
    for (const listener of this.#listeners) {
      try {
        listener(runner);
      } catch {
        // A listener's failure is its own business.
      }
    }
  }
}
