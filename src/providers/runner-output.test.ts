import { describe, expect, it } from "vitest";
import { demuxDockerLog, scrubLongTokens, tailText } from "./runner-output.js";

describe("runner output", () => {
  it("blanks long tokens but keeps words and absolute paths", () => {
    const jit = Buffer.from(JSON.stringify({ a: "x".repeat(80) })).toString("base64");
    expect(
      scrubLongTokens(`config ${jit} in /home/runner/_work/some-long-repository-name/here ok`),
    ).toBe("config [redacted] in /home/runner/_work/some-long-repository-name/here ok");
  });

  it("keeps the end of a long output from a line start", () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n");
    const tail = tailText(`${text}\n`, 100);
    expect(tail.endsWith("line 499")).toBe(true);
    expect(tail.startsWith("line ")).toBe(true);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(100);
  });

  it("joins the frames of a multiplexed Docker log", () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header.writeUInt8(stream, 0);
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    expect(demuxDockerLog(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]))).toBe(
      "out\nerr\n",
    );
  });
});
