import { describe, expect, it } from "vitest";
import { isWildcardHost, listenUrl, normalizePublicUrl, requestHostUrl } from "./public-url.js";

describe("isWildcardHost", () => {
  it.each(["0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "::0", ""])("%j listens everywhere", (h) => {
    expect(isWildcardHost(h)).toBe(true);
  });
  it.each(["127.0.0.1", "::1", "[::1]", "localhost", "10.0.0.5", "0.0.0.1", "fe80::1"])(
    "%j is a specific address",
    (h) => {
      expect(isWildcardHost(h)).toBe(false);
    },
  );
});

describe("listenUrl", () => {
  it("keeps a specific host and brackets IPv6", () => {
    expect(listenUrl("127.0.0.1", 8080, false)).toBe("http://127.0.0.1:8080");
    expect(listenUrl("localhost", 8443, true)).toBe("https://localhost:8443");
    expect(listenUrl("::1", 9, false)).toBe("http://[::1]:9");
    expect(listenUrl("[::1]", 9, false)).toBe("http://[::1]:9");
  });
  it("turns a wildcard address into loopback", () => {
    expect(listenUrl("0.0.0.0", 8080, false)).toBe("http://127.0.0.1:8080");
    expect(listenUrl("::", 8080, true)).toBe("https://127.0.0.1:8080");
    expect(listenUrl("", 1, false)).toBe("http://127.0.0.1:1");
  });
});

describe("normalizePublicUrl", () => {
  it("returns the origin: lower-case host, no default port, no trailing slash", () => {
    expect(normalizePublicUrl("http://Emu.Example:8080/")).toBe("http://emu.example:8080");
    expect(normalizePublicUrl("https://emu.example:443")).toBe("https://emu.example");
    expect(normalizePublicUrl("http://[::1]:8080")).toBe("http://[::1]:8080");
  });
  it("names the setting in every refusal and never echoes credentials", () => {
    expect(() => normalizePublicUrl("emu:8080", "--public-url")).toThrow(
      /^--public-url must use http or https, got "emu"$/,
    );
    expect(() => normalizePublicUrl("//emu", "--public-url")).toThrow(
      /^--public-url must be an absolute http\(s\) URL/,
    );
    expect(() => normalizePublicUrl("http://emu/?")).toThrow(/^publicUrl must not have a query/);
    expect(() => normalizePublicUrl("http://emu/#")).toThrow(/^publicUrl must not have a fragment/);
    expect(() => normalizePublicUrl("http://emu/a/")).toThrow(/^publicUrl must not have a path/);
    let message = "";
    try {
      normalizePublicUrl("https://me:s3cret@emu.example");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe("publicUrl must not contain credentials (user:password@)");
  });
});

describe("requestHostUrl", () => {
  it("takes the host (and port) the request was sent to, with the given scheme", () => {
    expect(requestHostUrl("http://emu.example:8080/x?y", "http")).toBe("http://emu.example:8080");
    expect(requestHostUrl("http://emu.example:8443/x", "https")).toBe("https://emu.example:8443");
    expect(requestHostUrl("http://u:p@[::1]:9/", "http")).toBe("http://[::1]:9");
    expect(requestHostUrl("not a url", "http")).toBeUndefined();
  });
});
