/**
 * The response schemas built with the ES module of zod. Only ever loaded through
 * `import()` (load-schemas.ts), never imported statically: zod costs ~14 MB RSS per process.
 * @module
 */
import { z } from "zod";
import { defineSchemas } from "./schemas.js";

/** The reference schemas of schemas.ts. */
export const schemas = defineSchemas(z);
