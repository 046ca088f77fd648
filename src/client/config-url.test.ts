import { afterEach, describe, expect, it } from "vitest";
import { githubApiUrl, parseConfigUrl, registrationTokenPath } from "./config-url.js";
import { isScaleSetError } from "./errors.js";

const FORCE_GHES = "GITHUB_ACTIONS_FORCE_GHES";
afterEach(() => {
  delete process.env[FORCE_GHES];
});

describe("parseConfigUrl", () => {
  it("detects organization, enterprise and repository scopes", () => {
    expect(parseConfigUrl("https://github.com/my-org/")).toMatchObject({
      scope: "organization",
      organization: "my-org",
    });
    expect(parseConfigUrl("https://github.com/enterprises")).toMatchObject({
      scope: "organization",
      organization: "enterprises",
    });
    expect(parseConfigUrl("https://github.com/Enterprises/ent")).toMatchObject({
      scope: "enterprise",
      enterprise: "ent",
    });
    expect(parseConfigUrl("/https://github.com/o/r/")).toMatchObject({
      scope: "repository",
      organization: "o",
      repository: "r",
      url: "https://github.com/o/r",
    });
  });

  it("keeps the URL as written for runner-registration except the scheme, which Go lower-cases", () => {
    expect(parseConfigUrl("HTTPS://GitHub.com/My-Org/").url).toBe("https://GitHub.com/My-Org");
    expect(parseConfigUrl("Http://ghes.example:8443/o/r?x=1").url).toBe(
      "http://ghes.example:8443/o/r?x=1",
    );
  });

  it("rejects URLs without a scope, with too many segments, or without http(s)", () => {
    for (const bad of [
      "https://github.com",
      "https://github.com/a/b/c",
      "github.com/org",
      "ftp://x/org",
    ]) {
      let err: unknown;
      try {
        parseConfigUrl(bad);
      } catch (e) {
        err = e;
      }
      expect(isScaleSetError(err, "INVALID_CONFIG_URL"), bad).toBe(true);
    }
  });

  it("builds the registration-token path for each scope", () => {
    expect(registrationTokenPath(parseConfigUrl("https://github.com/o"))).toBe(
      "/orgs/o/actions/runners/registration-token",
    );
    expect(registrationTokenPath(parseConfigUrl("https://github.com/enterprises/e"))).toBe(
      "/enterprises/e/actions/runners/registration-token",
    );
    expect(registrationTokenPath(parseConfigUrl("https://github.com/o/r"))).toBe(
      "/repos/o/r/actions/runners/registration-token",
    );
  });
});

describe("githubApiUrl", () => {
  const api = (url: string) => githubApiUrl(parseConfigUrl(url), "/x");

  it("uses api.<host> for hosted GitHub and /api/v3 for GHES", () => {
    expect(api("https://github.com/o")).toBe("https://api.github.com/x");
    expect(api("https://WWW.GitHub.com/o")).toBe("https://api.github.com/x");
    expect(api("http://github.localhost/o")).toBe("http://api.github.localhost/x");
    expect(api("https://tenant.ghe.com/o")).toBe("https://api.tenant.ghe.com/x");
    expect(api("https://tenant.GHE.COM/o")).toBe("https://tenant.GHE.COM/api/v3/x");
    expect(api("https://github.com:443/o")).toBe("https://github.com:443/api/v3/x");
    expect(api("https://ghes.example.com/o")).toBe("https://ghes.example.com/api/v3/x");
    expect(api("http://localhost/o")).toBe("http://localhost/api/v3/x");
  });

  it("treats any GITHUB_ACTIONS_FORCE_GHES presence as GHES, re-reading it every time", () => {
    expect(api("https://github.com/o")).toBe("https://api.github.com/x");
    process.env[FORCE_GHES] = "";
    expect(api("https://github.com/o")).toBe("https://github.com/api/v3/x");
  });
});
