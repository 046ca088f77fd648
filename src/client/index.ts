/**
 * The scale set client: `ScaleSetClient`, its message sessions, errors and options.
 * @module
 */
export type { GitHubAppCredentials } from "./app-jwt.js";
export type {
  GitHubAppClientOptions,
  ScaleSetClientBaseOptions,
  TokenClientOptions,
} from "./client-options.js";
export {
  type ConfigScope,
  type ConfigUrl,
  githubApiUrl,
  isHostedGitHub,
  parseConfigUrl,
} from "./config-url.js";
export {
  ConfigError,
  HttpError,
  type HttpErrorDetails,
  isScaleSetError,
  ScaleSetError,
  type ScaleSetErrorCode,
} from "./errors.js";
export { closeSharedDispatchers, createDispatcher, sharedDispatcher } from "./http-dispatcher.js";
export type { FetchLike, HttpOptions } from "./http-options.js";
export { MessageSessionClient } from "./message-session.js";
export { parseRunnerScaleSetMessage } from "./messages.js";
export { redactText, redactUrl } from "./redact.js";
export { ScaleSetClient } from "./scale-set-client.js";
export type * from "./types.js";
export { CLIENT_VERSION, userAgent } from "./user-agent.js";
