/**
 * scaleset: a TypeScript client for GitHub's Runner Scale Set API.
 *
 * ```ts
 * import { ScaleSetClient } from "scaleset";
 * const client = ScaleSetClient.withToken({ configUrl: "https://github.com/my-org", token });
 * const set = await client.getRunnerScaleSet(1, "my-set");
 * ```
 * @module
 */
export * from "./client/index.js";
export * from "./wire/index.js";
