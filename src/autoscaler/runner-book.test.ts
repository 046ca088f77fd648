import { describe, expect, it } from "vitest";
import { RunnerBook } from "./runner-book.js";
import type { RunnerState } from "./types.js";

const STATES: RunnerState[] = ["starting", "idle", "busy", "done", "removing", "dead"];

function scanned(book: RunnerBook) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<RunnerState, number>;
  for (const entry of book.entries()) counts[entry.state]++;
  return { ...counts, target: 3, assigned: 2 };
}

describe("RunnerBook counts", () => {
  it("match a scan of the entries through adds, state changes, deletes and re-adds", () => {
    const book = new RunnerBook();
    const a = book.add("a", "starting");
    const b = book.add("b", "idle");
    book.add("c", "busy");
    expect(book.counts(3, 2)).toEqual(scanned(book));
    book.setState(a, "idle");
    book.setState(b, "done");
    expect(book.counts(3, 2)).toEqual(scanned(book));
    book.delete("c");
    book.delete("missing");
    expect(book.counts(3, 2)).toEqual(scanned(book));
    book.add("a", "dead"); // replaces the entry of the same name
    expect(book.counts(3, 2)).toEqual(scanned(book));
    book.setState(a, "removing"); // the replaced entry no longer counts
    expect(book.counts(3, 2)).toEqual(scanned(book));
    expect(book.counts(3, 2)).toMatchObject({ dead: 1, done: 1, idle: 0, removing: 0 });
  });
});
