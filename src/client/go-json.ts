/**
 * JSON encoding with Go `encoding/json` byte compatibility (protocol-spec.md Appendix A.1).
 * @module
 */

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * `JSON.stringify` plus Go's HTML escaping of `<`, `>`, `&` and U+2028/U+2029. Those characters
 * can only occur inside JSON strings, so a global replacement is exact.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** Go's `url.QueryEscape`: only `A-Za-z0-9-_.~` stay, space becomes `+`. */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** Go's `url.Values.Encode`: keys sorted byte-wise, values in insertion order, form-encoded. */
export function goEncodeQuery(values: Map<string, string[]>): string {
  const keys = [...values.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const key of keys) {
    for (const v of values.get(key) ?? []) parts.push(`${goQueryEscape(key)}=${goQueryEscape(v)}`);
  }
  return parts.join("&");
}

/** Form-decodes a raw query string (`+` is a space) into ordered multi-values. */
export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw)) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}
