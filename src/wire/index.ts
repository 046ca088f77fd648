/**
 * Wire JSON types shared by the client and the emulator.
 * @module
 */
export * from "./types.js";
