import { describe, expect, it } from "vitest";
import { FakeHttpError } from "../../test/helpers/fake-listener-client.js";
import { classifyError, conflictOwnerOf, errorInfo, isSessionGone } from "./classify-error.js";

const err = (code: string, status?: number, exception?: string, message?: string) =>
  new FakeHttpError(code, status, exception, message);

describe("classifyError", () => {
  it("stops only on credential and configuration errors", () => {
    for (const code of ["AUTH_FAILED", "INVALID_CONFIG", "INVALID_CONFIG_URL"]) {
      expect(classifyError(err(code), "session")).toBe("fatal");
    }
    expect(classifyError(new Error("boom"), "session")).toBe("retry");
    expect(classifyError(err("HTTP_ERROR", 503), "create-session")).toBe("retry");
    expect(classifyError(err("NETWORK_ERROR"), "session")).toBe("retry");
    expect(classifyError(err("BAD_RESPONSE", 200), "session")).toBe("retry");
  });

  it("maps session loss, expiry and eviction to a new session", () => {
    expect(classifyError(err("SESSION_NOT_FOUND", 404), "session")).toBe("new-session");
    const expired = err(
      "HTTP_ERROR",
      400,
      "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException",
    );
    expect(classifyError(expired, "session")).toBe("new-session");
    expect(classifyError(err("HTTP_ERROR", 404, "RunnerAdminException"), "session")).toBe(
      "new-session",
    );
    expect(classifyError(err("HTTP_ERROR", 404), "handle")).toBe("new-session");
  });

  it("tells conflicts, token expiry and a deleted scale set apart", () => {
    expect(classifyError(err("SESSION_CONFLICT", 409), "create-session")).toBe("conflict");
    expect(classifyError(err("MESSAGE_QUEUE_TOKEN_EXPIRED", 401), "session")).toBe("refresh");
    const missing = err("HTTP_ERROR", 404, "RunnerScaleSetNotFoundException");
    expect(classifyError(missing, "create-session")).toBe("scale-set-missing");
    expect(classifyError(err("SCALE_SET_NOT_FOUND", 404), "session")).toBe("scale-set-missing");
  });

  it("counts a 404 or expired session on delete as already gone", () => {
    expect(isSessionGone(err("SESSION_NOT_FOUND", 404))).toBe(true);
    expect(isSessionGone(err("HTTP_ERROR", 400, "RunnerScaleSetSessionExpiredException"))).toBe(
      true,
    );
    expect(isSessionGone(err("HTTP_ERROR", 500))).toBe(false);
  });
});

describe("conflictOwnerOf", () => {
  const info = (text: string) => errorInfo(err("SESSION_CONFLICT", 409, undefined, text));
  it("says self only when the service names exactly our owner", () => {
    expect(
      conflictOwnerOf(info("already has an active session for owner host-1a2b."), "host-1a2b"),
    ).toBe("self");
    expect(
      conflictOwnerOf(info("already has an active session for owner host-1a2b-x."), "host-1a2b"),
    ).toBe("foreign");
    expect(conflictOwnerOf(info("The scaleset x already has an active session."), "me")).toBe(
      "unknown",
    );
  });
});
