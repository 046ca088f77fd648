/**
 * zod costs ~14 MB RSS per process; the client, listener and autoscaler load it only to explain
 * a malformed response, through `import()`. This walks the static import graph (value imports
 * and re-exports; `import type` / `export type` are erased) and asserts it never reaches zod.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

/** Specifiers of the static value imports and re-exports of a module's source. */
function staticImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const fromClause =
    /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*["']([^"']+)["']/g;
  for (const m of code.matchAll(fromClause)) {
    if (m[2] === undefined && m[4] !== undefined) found.push(m[4]);
  }
  for (const m of code.matchAll(/(?:^|[\n;])\s*import\s*["']([^"']+)["']/g)) {
    if (m[1] !== undefined) found.push(m[1]);
  }
  return found;
}

/** The source file a relative or self-referencing specifier names, or undefined for a package. */
function resolveModule(from: string, specifier: string): string | undefined {
  if (specifier === "scaleset") return join(SRC, "index.ts");
  if (specifier.startsWith("scaleset/")) return join(SRC, specifier.slice(9), "index.ts");
  if (!specifier.startsWith(".")) return undefined;
  return resolve(dirname(from), specifier).replace(/\.js$/, ".ts");
}

/** Every module statically reachable from `entry`, and the packages they import. */
function walk(entry: string): { modules: Set<string>; packages: Map<string, string> } {
  const modules = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [join(SRC, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (modules.has(file)) continue;
    modules.add(file);
    for (const specifier of staticImports(readFileSync(file, "utf8"))) {
      const target = resolveModule(file, specifier);
      if (target) pending.push(target);
      else packages.set(specifier, relative(SRC, file));
    }
  }
  return { modules, packages };
}

const isZod = (pkg: string) => pkg === "zod" || pkg.startsWith("zod/");

describe("static import graph", () => {
  it.each(["client/index.ts", "listener/index.ts", "autoscaler/index.ts"])(
    "from %s never reaches zod",
    (entry) => {
      const { modules, packages } = walk(entry);
      const zod = [...packages].filter(([pkg]) => isZod(pkg));
      expect(zod, `imported by ${zod.map(([, by]) => by).join(", ")}`).toEqual([]);
      expect(modules.size).toBeGreaterThan(5);
    },
  );

  it("sees the client's decoders but not the zod schemas module they import() lazily", () => {
    const { modules } = walk("client/index.ts");
    expect(modules).toContain(join(SRC, "client/load-schemas.ts"));
    expect(modules).toContain(join(SRC, "client/schemas.ts"));
    expect(modules).not.toContain(join(SRC, "client/zod-schemas.ts"));
  });

  it("finds zod where it is imported statically (the walker works)", () => {
    expect([...walk("client/zod-schemas.ts").packages.keys()]).toContain("zod");
    expect([...walk("emulator/index.ts").packages.keys()]).toContain("zod");
    expect(staticImports('import type { z } from "zod";\nexport type * from "./t.js";')).toEqual(
      [],
    );
    expect(
      staticImports(
        'import {\n  type A,\n  b,\n} from "./a.js";\nexport { c } from "./c.js";\nimport "./side.js";\nconst m = await import("zod");',
      ),
    ).toEqual(["./a.js", "./c.js", "./side.js"]);
  });
});
