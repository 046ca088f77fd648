import { describe, expect, it } from "vitest";
import { ScaleSetClient } from "./scale-set-client.js";

const make = (http: object) => () =>
  ScaleSetClient.withToken({ configUrl: "https://github.com/o", token: "t", http: http as never });

describe("http options", () => {
  it("are validated up front with a ConfigError naming the field", () => {
    expect(make({ retryMax: -1 })).toThrow(/^http\.retryMax: must be an integer >= 0/);
    expect(make({ retryWaitMaxMs: 1.5 })).toThrow(/http\.retryWaitMaxMs/);
    expect(make({ timeoutMs: 0 })).toThrow(/http\.timeoutMs/);
    expect(make({ proxy: "not a url" })).toThrow(/http\.proxy/);
    expect(make({ ca: "nope" })).toThrow(/http\.ca/);
    expect(make({ rejectUnauthorized: "no" })).toThrow(/http\.rejectUnauthorized/);
    expect(make({ logger: {} })).toThrow(/http\.logger/);
    expect(make({ fetch: 1 })).toThrow(/http\.fetch/);
    expect(make({ dispatcher: {} })).toThrow(/http\.dispatcher/);
    expect(make({})).not.toThrow();
  });

  it("reject a missing token and an invalid config URL", () => {
    expect(() =>
      ScaleSetClient.withToken({ configUrl: "https://github.com/o", token: "" }),
    ).toThrow(/^token/);
    expect(() => ScaleSetClient.withToken({ configUrl: "https://github.com", token: "t" })).toThrow(
      /configUrl/,
    );
  });
});
