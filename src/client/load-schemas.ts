/**
 * Lazy access to the zod schemas. The hand-written decoders handle every well-formed response;
 * zod (~14 MB RSS per process) is only loaded to explain, with its exact message, a response
 * they refuse, or to accept one they were too strict about.
 * @module
 */
import { createRequire } from "node:module";
import type * as Zod from "zod";
import { defineSchemas, type ZodSchemas } from "./schemas.js";

let loaded: ZodSchemas | undefined;
let loading: Promise<ZodSchemas> | undefined;

/** The schemas, importing zod's ES module on first use. */
export function loadSchemas(): Promise<ZodSchemas> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= import("./zod-schemas.js").then(
    (m) => {
      loaded = m.schemas;
      return m.schemas;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * The schemas, synchronously: for the synchronous public `parseRunnerScaleSetMessage` only.
 * Reuses the ES-module schemas once loaded, else requires zod's CommonJS build (an ES module
 * cannot be loaded synchronously everywhere this code runs).
 */
export function loadSchemasSync(): ZodSchemas {
  loaded ??= defineSchemas((createRequire(import.meta.url)("zod") as typeof Zod).z);
  return loaded;
}
