/**
 * `scaleset/listener`: the polling loop that owns a scale set's message session and drives a
 * {@link Scaler}, recovering from service faults in-process; {@link MultiListener} runs many
 * scale sets in one process.
 *
 * @example
 * ```ts
 * import { ScaleSetClient } from "scaleset";
 * import { Listener } from "scaleset/listener";
 * const client = ScaleSetClient.withToken({ configUrl, token });
 * const listener = new Listener({ client, scaleSetId: 1, maxRunners: 10 });
 * await listener.run(myScaler, { signal });
 * ```
 * @module
 */
export { type ErrorInfo, errorInfo, type Recovery } from "./classify-error.js";
export { defaultOwner } from "./default-owner.js";
export { FileMessageIdStore } from "./file-message-id-store.js";
export { Listener, type ListenerRunOptions } from "./listener.js";
export {
  MultiListener,
  type MultiListenerEntry,
  type MultiListenerOptions,
  type MultiListenerResult,
} from "./multi-listener.js";
export {
  type BackoffOptions,
  ListenerConfigError,
  type ListenerOptions,
  type ScaleSetRecreatedHandler,
} from "./options.js";
export type * from "./types.js";
