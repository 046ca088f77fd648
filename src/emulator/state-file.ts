/**
 * The state file: loaded on start, saved (debounced) after changes and on close, written
 * atomically (temp file + rename).
 * @module
 */
import { readFile, rename, writeFile } from "node:fs/promises";
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

  /** The saved state, or undefined when the file does not exist yet. */
  async load(): Promise<SavedState | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    const saved = JSON.parse(text) as SavedState;
    if (saved.version !== 1)
      throw new Error(`unsupported emulator state file version in ${this.file}`);
    return saved;
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
