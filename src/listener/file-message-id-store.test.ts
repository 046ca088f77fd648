import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileMessageIdStore } from "./file-message-id-store.js";

const A = "5b8a3c55-3f5c-4d3f-9a55-0c0b6f0f6a11";
const B = "0c6a1e2f-9b7d-4c1e-8f3a-2d5e6f708192";

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "message-id-store-"));
  path = join(dir, "nested", "state.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fileJson = async () => JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;

describe("FileMessageIdStore", () => {
  it("loads a state file of an earlier version (message ids only) and keeps its shape when only message ids are saved", async () => {
    await new FileMessageIdStore(path).save(1, 0); // creates the nested directory
    await writeFile(path, '{\n  "lastMessageIds": {\n    "3": 17,\n    "4": 2\n  }\n}\n');
    const store = new FileMessageIdStore(path);
    expect(await store.load(3)).toBe(17);
    expect(await store.loadSessionId(3)).toBeUndefined();
    await store.save(4, 5);
    expect(await fileJson()).toEqual({ lastMessageIds: { "3": 17, "4": 5 } });
  });

  it("keeps session ids next to message ids across instances, and clearing one leaves the rest", async () => {
    const store = new FileMessageIdStore(path);
    await store.save(1, 42);
    await Promise.all([store.saveSessionId(1, A), store.saveSessionId(2, B)]);
    expect(await fileJson()).toEqual({
      lastMessageIds: { "1": 42 },
      sessionIds: { "1": A, "2": B },
    });
    const reopened = new FileMessageIdStore(path);
    expect(await reopened.load(1)).toBe(42);
    expect(await reopened.loadSessionId(1)).toBe(A);
    expect(await reopened.loadSessionId(2)).toBe(B);
    await reopened.saveSessionId(1, undefined);
    await reopened.saveSessionId(2, undefined);
    expect(await fileJson()).toEqual({ lastMessageIds: { "1": 42 } });
    expect(await new FileMessageIdStore(path).loadSessionId(1)).toBeUndefined();
  });

  it("writes atomically with owner-only permissions and leaves no temp file", async () => {
    const store = new FileMessageIdStore(path);
    await Promise.all([store.saveSessionId(7, A), store.save(7, 1), store.save(8, 2)]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, "nested"))).toEqual(["state.json"]);
    expect(await fileJson()).toEqual({
      lastMessageIds: { "7": 1, "8": 2 },
      sessionIds: { "7": A },
    });
  });

  it("removes its file once nothing is left in it (a session-only store after a clean stop)", async () => {
    const store = new FileMessageIdStore(path);
    await store.saveSessionId(1, A);
    expect(await fileJson()).toEqual({ lastMessageIds: {}, sessionIds: { "1": A } });
    await store.saveSessionId(1, undefined);
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
    await store.saveSessionId(1, undefined); // clearing an absent id writes nothing
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("ignores malformed entries of a hand-edited file and refuses to save a non-UUID session id", async () => {
    await new FileMessageIdStore(path).save(1, 0);
    await writeFile(
      path,
      JSON.stringify({
        lastMessageIds: { "1": "x", "2": 3 },
        sessionIds: { "1": "../../sessions", "2": 5, "3": A },
      }),
    );
    const store = new FileMessageIdStore(path);
    expect(await store.load(1)).toBeUndefined();
    expect(await store.load(2)).toBe(3);
    expect(await store.loadSessionId(1)).toBeUndefined();
    expect(await store.loadSessionId(2)).toBeUndefined();
    expect(await store.loadSessionId(3)).toBe(A);
    await expect(store.saveSessionId(1, "not-a-session-id")).rejects.toThrow(/UUID/);
    expect(await store.loadSessionId(1)).toBeUndefined();
  });

  it("reads a missing file as empty and rejects an unreadable one", async () => {
    expect(await new FileMessageIdStore(path).loadSessionId(1)).toBeUndefined();
    await new FileMessageIdStore(path).save(1, 0);
    await writeFile(path, "{not json");
    await expect(new FileMessageIdStore(path).loadSessionId(1)).rejects.toThrow();
  });
});
