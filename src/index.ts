/**
 * scaleset: a TypeScript client for GitHub's Runner Scale Set API.
 * @module
 */
export type * from "./client/types.js";
export type * from "./wire/types.js";
