/**
 * The process provider's state beside the runner copies, so a restarted daemon finds its
 * runners: `<work-dir>/.scaleset/<name>.json` (metadata), `<name>.pid` and `<name>.exit` (exit code
 * written by the wrapper shell when run.sh ends), `<name>.procs` (descendants seen, so they are
 * stopped even after leaving the runner's process group). No file ever holds the JIT config.
 * @module
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What is recorded for each runner. */
export interface RunnerRecord {
  name: string;
  scaleSetId: number;
  labels: string[];
  /** Pid of the wrapper shell, which leads the runner's process group. */
  pid: number;
  /** `/proc/<pid>/stat` start time (clock ticks), to tell a recycled pid apart. */
  procStartTime: string | undefined;
  /** ISO time the runner was started. */
  startedAt: string;
  /** The runner's working copy. */
  dir: string;
}

/** Reads and writes {@link RunnerRecord}s in one state directory. */
export class RunnerStateStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Path of the exit-code file the wrapper shell writes for `name`. */
  exitFile(name: string): string {
    return join(this.dir, `${name}.exit`);
  }

  /** Writes the metadata and pid file atomically (temp file + rename). */
  async save(record: RunnerRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(join(this.dir, `${record.name}.json`), `${JSON.stringify(record)}\n`);
    await atomicWrite(join(this.dir, `${record.name}.pid`), `${record.pid}\n`);
  }

  /** The record for `name`, or undefined when there is none (or it is unreadable). */
  async load(name: string): Promise<RunnerRecord | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.dir, `${name}.json`), "utf8"));
      return isRunnerRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every readable record. */
  async loadAll(): Promise<RunnerRecord[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch {
      return [];
    }
    const records: RunnerRecord[] = [];
    for (const file of files) {
      if (!file.endsWith(".json")) continue;
      const record = await this.load(file.slice(0, -".json".length));
      if (record) records.push(record);
    }
    return records;
  }

  /** The exit code run.sh ended with, when the wrapper recorded one. */
  async exitCode(name: string): Promise<number | undefined> {
    try {
      const code = Number.parseInt(await readFile(this.exitFile(name), "utf8"), 10);
      return Number.isFinite(code) ? code : undefined;
    } catch {
      return undefined;
    }
  }

  /** Descendants of `name` seen so far (pid → start time), found even after they left its group. */
  async loadKnown(name: string): Promise<Map<number, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.dir, `${name}.procs`), "utf8"));
      const known = new Map<number, string>();
      if (Array.isArray(parsed)) {
        for (const item of parsed) {
          if (Array.isArray(item) && typeof item[0] === "number" && typeof item[1] === "string") {
            known.set(item[0], item[1]);
          }
        }
      }
      return known;
    } catch {
      return new Map();
    }
  }

  /** Records the descendants of `name` seen so far. */
  async saveKnown(name: string, known: ReadonlyMap<number, string>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(join(this.dir, `${name}.procs`), `${JSON.stringify([...known])}\n`);
  }

  /** Deletes every state file of `name`. */
  async delete(name: string): Promise<void> {
    for (const ext of [".json", ".pid", ".exit", ".exit.tmp", ".procs"]) {
      await rm(join(this.dir, `${name}${ext}`), { force: true });
    }
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

function isRunnerRecord(value: unknown): value is RunnerRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<Record<keyof RunnerRecord, unknown>>;
  return (
    typeof r.name === "string" &&
    typeof r.scaleSetId === "number" &&
    typeof r.pid === "number" &&
    typeof r.dir === "string"
  );
}
