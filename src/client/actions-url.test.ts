import { describe, expect, it } from "vitest";
import { actionsUrl, deleteMessageUrl, getMessageUrl } from "./actions-url.js";
import { goJson, goQueryEscape } from "./go-json.js";

describe("actionsUrl", () => {
  it("joins paths with or without slashes and keeps a trailing slash", () => {
    expect(actionsUrl("https://h/rest/", "/_apis/a")).toBe(
      "https://h/rest/_apis/a?api-version=6.0-preview",
    );
    expect(actionsUrl("https://h/rest", "_apis//a/./b/../c")).toBe(
      "https://h/rest/_apis/a/c?api-version=6.0-preview",
    );
    expect(actionsUrl("https://h/t/", "/_apis/runtime/runnergroups/?groupName=x")).toBe(
      "https://h/t/_apis/runtime/runnergroups/?api-version=6.0-preview&groupName=x",
    );
  });

  it("merges, sorts and form-encodes queries, keeping an explicit api-version", () => {
    expect(actionsUrl("https://h/t?z=1&b=base", "/p?b=rel&name=a b*~'")).toBe(
      "https://h/t/p?api-version=6.0-preview&b=rel&name=a+b%2A~%27&z=1",
    );
    expect(actionsUrl("https://h/", "/p?api-version=7.0")).toBe("https://h/p?api-version=7.0");
    expect(actionsUrl("https://h/", "/p?name=a+b&c#frag&x=1")).toBe(
      "https://h/p?api-version=6.0-preview&c=&name=a+b",
    );
  });
});

describe("message queue URLs", () => {
  it("adds lastMessageId only when positive and appends the id to the path on delete", () => {
    expect(getMessageUrl("https://b/scalesets/message?z=1", 0)).toBe(
      "https://b/scalesets/message?z=1",
    );
    expect(getMessageUrl("https://b/m?z=1", 5)).toBe("https://b/m?lastMessageId=5&z=1");
    expect(deleteMessageUrl("https://b/m?sessionId=s", 42)).toBe("https://b/m/42?sessionId=s");
    expect(deleteMessageUrl("https://b/m/", 42)).toBe("https://b/m//42");
  });

  it("re-encodes the rest of the query sorted, replacing an existing lastMessageId", () => {
    expect(
      getMessageUrl("https://b/m?z=1&a=x+y&lastMessageId=3&b=%21&a=2&LastMessageId=9", 7),
    ).toBe("https://b/m?LastMessageId=9&a=x+y&a=2&b=%21&lastMessageId=7&z=1");
    expect(getMessageUrl("https://b/m", 7)).toBe("https://b/m?lastMessageId=7");
    expect(getMessageUrl("https://b/m?a=1", 7)).toBe("https://b/m?a=1&lastMessageId=7");
  });
});

describe("Go encoding", () => {
  it("escapes HTML characters and line separators like encoding/json", () => {
    expect(goJson({ a: "<x>&\u2028\u2029" })).toBe('{"a":"\\u003cx\\u003e\\u0026\\u2028\\u2029"}');
    expect(goQueryEscape("a b!()*~-_.")).toBe("a+b%21%28%29%2A~-_.");
  });
});
