/**
 * The state file: loaded on start, saved (debounced) after changes and on close, written
 * atomically (temp file + rename).
 * @module
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { EmulatorOptionError, errorCode } from "./option-error.js";
import type { SavedState } from "./state.js";

const SAVE_DELAY_MS = 50;

/** Debounced JSON persistence of the emulator state. */
export class StateFile {
  private readonly file: string;
  private readonly snapshot: () => SavedState;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(file: string, snapshot: () => SavedState) {
    this.file = file;
    this.snapshot = snapshot;
  }

  /**
   * The saved state, or undefined when the file does not exist yet.
   * @throws EmulatorOptionError (`stateFile`) when the file cannot be read or is not a state file
   */
  async load(): Promise<SavedState | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new EmulatorOptionError("stateFile", `cannot read ${this.file} (${errorCode(err)})`, {
        cause: err,
      });
    }
    let saved: unknown;
    try {
      saved = JSON.parse(text);
    } catch (err) {
      throw this.notAStateFile("not JSON", err);
    }
    const version =
      typeof saved === "object" && saved !== null
        ? (saved as { version?: unknown }).version
        : undefined;
    if (version !== 1)
      throw this.notAStateFile(
        version === undefined ? "no version" : `version ${JSON.stringify(version)}, expected 1`,
      );
    return saved as SavedState;
  }

  /**
   * Writes the state now and reports a file that cannot be written (missing directory, no
   * permission) as an option error, for the first save at start.
   * @throws EmulatorOptionError (`stateFile`)
   */
  async check(): Promise<void> {
    try {
      await this.saveNow();
    } catch (err) {
      this.writing = Promise.resolve();
      throw new EmulatorOptionError("stateFile", `cannot write ${this.file} (${errorCode(err)})`, {
        cause: err,
      });
    }
  }

  private notAStateFile(why: string, cause?: unknown): EmulatorOptionError {
    return new EmulatorOptionError(
      "stateFile",
      `${this.file} is not an emulator state file (${why}); give a new path or remove the file`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Saves soon (coalescing bursts of changes). */
  scheduleSave(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.saveNow();
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Saves now (after any save in progress). */
  saveNow(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const data = `${JSON.stringify(this.snapshot())}\n`;
    this.writing = this.writing.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    return this.writing;
  }
}
