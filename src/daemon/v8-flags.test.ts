import { describe, expect, it } from "vitest";
import { applyDaemonV8Flags, DEFAULT_DAEMON_V8_FLAGS, V8FlagsError } from "./v8-flags.js";

describe("applyDaemonV8Flags", () => {
  it("applies the defaults unless SCALESET_V8_FLAGS says otherwise", () => {
    expect(applyDaemonV8Flags({})).toEqual(DEFAULT_DAEMON_V8_FLAGS.split(" "));
    expect(applyDaemonV8Flags({ SCALESET_V8_FLAGS: "" })).toEqual([]);
    expect(applyDaemonV8Flags({ SCALESET_V8_FLAGS: " --heap-growing-percent=30 " })).toEqual([
      "--heap-growing-percent=30",
    ]);
  });

  it("refuses what is not a --flag, naming the variable and the fix", () => {
    expect(() => applyDaemonV8Flags({ SCALESET_V8_FLAGS: "--ok rm -rf" })).toThrow(V8FlagsError);
    expect(() => applyDaemonV8Flags({ SCALESET_V8_FLAGS: "max-old-space-size=100" })).toThrow(
      /SCALESET_V8_FLAGS: "max-old-space-size=100" is not a V8 flag; give space-separated flags/,
    );
  });
});
