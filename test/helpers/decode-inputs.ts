/**
 * Input generator for the equivalence tests of the hand-written decoders against the zod
 * schemas: from a valid sample, every field missing, null, of each wrong type, with its key in
 * another case (alone, beside the exact key, or twice), nested values mutated the same way,
 * extra fields, and top-level non-objects.
 */

/** Values put in place of each field: every JSON type and the edge cases of each check. */
export const PALETTE: readonly unknown[] = [
  null,
  undefined,
  0,
  -0,
  7,
  -1,
  1.5,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  JSON.parse("18446744073709551615"),
  1e300,
  "",
  "x",
  "1",
  " ",
  true,
  false,
  [],
  {},
  ["a"],
  [1],
  [null],
  [{}],
  "2024-01-02T03:04:05Z",
  "2024-01-02T03:04:05.123456789+02:00",
  "0001-01-01T00:00:00Z",
  "2024-01-02T03:04:05",
  "2024-01-02 03:04:05Z",
  "2024-01-02T03:04:05+0200",
  "https://pipelines.example/_apis/q?sessionId=1",
  "HTTP://Pipelines.Example:8080/q",
  "  https://pipelines.example/q\n",
  "https://pipe\tlines.example/q",
  "http:pipelines.example",
  "https:/pipelines.example",
  "ftp://pipelines.example",
  "https://",
  "https://[::1",
  "/relative/path",
  "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
  "00000000-0000-0000-0000-000000000000",
  "3f2504e0-4f89-11d3-9a0c-0305e82c330",
  "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}",
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `key` with the case of its first letter swapped (`id` → `Id`, `Url` → `url`). */
function swapFirst(key: string): string {
  const c = key.charAt(0);
  const swapped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return swapped + key.slice(1);
}

/** The sample and its variants, nested objects and arrays mutated down to `depth` levels. */
export function variants(sample: unknown, depth = 3): unknown[] {
  const out: unknown[] = [sample];
  if (depth === 0) return out;
  if (Array.isArray(sample)) {
    out.push([], [...sample, ...sample]);
    for (const v of PALETTE) out.push([...sample, v]);
    sample.forEach((item, i) => {
      for (const v of variants(item, depth - 1).slice(1)) {
        out.push(sample.map((x, j) => (j === i ? v : x)));
      }
    });
    return out;
  }
  if (!isRecord(sample)) return out;
  out.push({}, { ...sample, extra: 1, Unknown: { x: [1] } });
  for (const key of Object.keys(sample)) {
    const { [key]: value, ...rest } = sample;
    const upper = key.toUpperCase();
    const other = swapFirst(key);
    out.push(
      rest,
      { ...rest, [upper]: value },
      { ...rest, [other]: value },
      { [upper]: value, ...rest },
      { ...rest, [upper]: value, [other]: PALETTE[5] },
      { ...rest, [upper]: PALETTE[5], [other]: value },
      { ...sample, [upper]: PALETTE[5] },
      { [upper]: PALETTE[5], ...sample },
      { ...rest, [upper]: null },
    );
    for (const v of PALETTE) out.push({ ...sample, [key]: v });
    for (const v of variants(value, depth - 1).slice(1)) out.push({ ...sample, [key]: v });
  }
  return out;
}

/** Top-level values that are no object at all. */
export const NON_OBJECTS: readonly unknown[] = [null, undefined, 0, "x", "", true, [], [{}]];

/** Every key path of `value` in order, to compare key order (not only contents). */
export function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${prefix}[${i}]`));
  if (!isRecord(value)) return [];
  return Object.keys(value).flatMap((k) => [
    `${prefix}.${k}`,
    ...keyPaths(value[k], `${prefix}.${k}`),
  ]);
}
