/**
 * The scale set client (DESIGN.md §3): every Actions-service operation of protocol-spec.md §3.3,
 * named after the Go reference's methods.
 * @module
 */
import type {
  RunnerGroup,
  RunnerReference,
  RunnerScaleSet,
  RunnerScaleSetJitRunnerConfig,
} from "../wire/types.js";
import { ActionsService } from "./actions-service.js";
import { validateAppCredentials } from "./app-jwt.js";
import {
  type GitHubAppClientOptions,
  requireId,
  requireName,
  type ScaleSetClientBaseOptions,
  type TokenClientOptions,
  validateSystemInfo,
} from "./client-options.js";
import { parseConfigUrl } from "./config-url.js";
import { decodeBody, decodeNullableBody } from "./decode.js";
import { encodeCreateScaleSet, encodeJitSettings, encodeUpdateScaleSet } from "./encode.js";
import { ConfigError, ScaleSetError } from "./errors.js";
import { type Credentials, GitHubAuth } from "./github-auth.js";
import { HttpTransport } from "./http.js";
import { resolveHttpOptions } from "./http-options.js";
import { createSession, deleteSession, type MessageSessionClient } from "./message-session.js";
import type { StatusClassifier } from "./response-errors.js";
import type {
  JitRunnerSettings,
  RequestOptions,
  RunnerScaleSetInput,
  SystemInfo,
} from "./types.js";
import { EMPTY_SYSTEM_INFO, userAgent } from "./user-agent.js";

const SCALE_SETS = "/_apis/runtime/runnerscalesets";
const AGENTS = "/_apis/distributedtask/pools/0/agents";
const scaleSetNotFound: StatusClassifier = (status) =>
  status === 404 ? "SCALE_SET_NOT_FOUND" : undefined;
const runnerNotFound: StatusClassifier = (status) =>
  status === 404 ? "RUNNER_NOT_FOUND" : undefined;

/**
 * A client of GitHub's Runner Scale Set API. Creating one sends nothing; the admin-token exchange
 * runs before the first call and again within 60 s of the token's expiry. Safe to use
 * concurrently; every method takes `{ signal }` and rejects with `signal.reason` on abort.
 */
export class ScaleSetClient {
  readonly #service: ActionsService;
  #systemInfo: SystemInfo;

  private constructor(options: ScaleSetClientBaseOptions, credentials: Credentials) {
    const config = parseConfigUrl(options.configUrl);
    this.#systemInfo = validateSystemInfo(options.systemInfo ?? EMPTY_SYSTEM_INFO);
    const transport = new HttpTransport(resolveHttpOptions(options.http));
    const auth = new GitHubAuth(config, credentials, transport, () => this.#service.userAgent);
    this.#service = new ActionsService(transport, auth, userAgent(this.#systemInfo));
  }

  /**
   * A client authenticating with a personal access token.
   * @throws ConfigError for an invalid config URL (`INVALID_CONFIG_URL`), token or option.
   */
  static withToken(options: TokenClientOptions): ScaleSetClient {
    if (typeof options?.token !== "string" || options.token === "") {
      throw new ConfigError("token", "is required");
    }
    return new ScaleSetClient(options, { token: options.token });
  }

  /**
   * A client authenticating as a GitHub App installation (a fresh installation token is minted
   * at every admin-token exchange).
   * @throws ConfigError for an invalid config URL, App credentials or option.
   */
  static withGitHubApp(options: GitHubAppClientOptions): ScaleSetClient {
    validateAppCredentials(options?.app);
    const { clientId, installationId, privateKey } = options.app;
    return new ScaleSetClient(options, { app: { clientId, installationId, privateKey } });
  }

  /** The system info sent in the User-Agent. */
  get systemInfo(): SystemInfo {
    return this.#systemInfo;
  }

  /** Replaces the system info; later requests (not open sessions' queue calls) send the new UA. */
  setSystemInfo(info: SystemInfo): void {
    this.#systemInfo = validateSystemInfo(info);
    this.#service.userAgent = userAgent(this.#systemInfo);
  }

  /**
   * The scale set named `name` in the runner group, or undefined when none (spec §3.4).
   * @throws ScaleSetError `NOT_UNIQUE` when the service reports several.
   */
  async getRunnerScaleSet(
    runnerGroupId: number,
    name: string,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet | undefined> {
    requireId("runnerGroupId", runnerGroupId);
    requireName("name", name);
    const what = "failed to get runner scale set";
    const { req, res } = await this.#call(
      what,
      "GET",
      `${SCALE_SETS}?runnerGroupId=${runnerGroupId}&name=${name}`,
      [200],
      options,
    );
    const list = await decodeBody("runnerScaleSetList", req, res, what);
    return pickByCount(list, `runner scale sets found with name "${name}"`, what);
  }

  /** The scale set with this id; undefined for a `null` body or a 404 (spec §3.5). */
  async getRunnerScaleSetById(
    id: number,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet | undefined> {
    requireId("id", id);
    const what = "failed to get runner scale set by id";
    const { req, res } = await this.#call(what, "GET", `${SCALE_SETS}/${id}`, [200, 404], options);
    if (res.status === 404) return undefined;
    return decodeNullableBody("runnerScaleSet", req, res, what);
  }

  /**
   * The runner group named `name` (spec §3.6).
   * @throws ScaleSetError `RUNNER_GROUP_NOT_FOUND` when none, `NOT_UNIQUE` when several.
   */
  async getRunnerGroupByName(name: string, options?: RequestOptions): Promise<RunnerGroup> {
    requireName("name", name);
    const what = "failed to get runner group by name";
    const { req, res } = await this.#call(
      what,
      "GET",
      `/_apis/runtime/runnergroups/?groupName=${name}`,
      [200],
      options,
    );
    const list = await decodeBody("runnerGroupList", req, res, what);
    const group = pickByCount(list, `runner groups found with name "${name}"`, what);
    if (!group)
      throw new ScaleSetError(
        "RUNNER_GROUP_NOT_FOUND",
        `no runner group found with name "${name}"`,
      );
    return group;
  }

  /**
   * Creates a scale set (200 expected, spec §3.7). Labels default to `[{type: System, name}]`;
   * label types default to `System`. The input is not mutated.
   * @throws ConfigError without a name and labels (nothing is sent).
   */
  async createRunnerScaleSet(
    scaleSet: RunnerScaleSetInput,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet> {
    const body = encodeCreateScaleSet(scaleSet);
    const what = "failed to create runner scale set";
    const { req, res } = await this.#call(what, "POST", SCALE_SETS, [200], options, body);
    return decodeBody("runnerScaleSet", req, res, what);
  }

  /** Updates a scale set with a partial object (PATCH, merge semantics; spec §3.8). */
  async updateRunnerScaleSet(
    id: number,
    patch: RunnerScaleSetInput,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet> {
    requireId("id", id);
    const body = encodeUpdateScaleSet(patch);
    const what = "failed to update runner scale set";
    const { req, res } = await this.#call(
      what,
      "PATCH",
      `${SCALE_SETS}/${id}`,
      [200],
      options,
      body,
      scaleSetNotFound,
    );
    return decodeBody("runnerScaleSet", req, res, what);
  }

  /** Deletes a scale set (204 expected; spec §3.9). */
  async deleteRunnerScaleSet(id: number, options?: RequestOptions): Promise<void> {
    requireId("id", id);
    await this.#call(
      "failed to delete runner scale set",
      "DELETE",
      `${SCALE_SETS}/${id}`,
      [204],
      options,
      undefined,
      scaleSetNotFound,
    );
  }

  /**
   * A JIT config for a new runner of the scale set (spec §3.10). The returned
   * `encodedJITConfig` is a secret: pass it to the runner, never log it.
   * @throws HttpError `RUNNER_EXISTS` when a runner with that name exists.
   */
  async generateJitRunnerConfig(
    scaleSetId: number,
    settings: JitRunnerSettings,
    options?: RequestOptions,
  ): Promise<RunnerScaleSetJitRunnerConfig> {
    requireId("scaleSetId", scaleSetId);
    requireName("settings.name", settings?.name);
    const what = "failed to generate JIT runner config";
    const path = `${SCALE_SETS}/${scaleSetId}/generatejitconfig`;
    const { req, res } = await this.#call(
      what,
      "POST",
      path,
      [200],
      options,
      encodeJitSettings(settings),
      scaleSetNotFound,
    );
    return decodeBody("jitConfig", req, res, what);
  }

  /**
   * The runner with this id; undefined for a `null` body (spec §3.11).
   * @throws HttpError `RUNNER_NOT_FOUND` when the service does not know it.
   */
  async getRunner(
    runnerId: number,
    options?: RequestOptions,
  ): Promise<RunnerReference | undefined> {
    requireId("runnerId", runnerId);
    const what = "failed to get runner";
    const { req, res } = await this.#call(
      what,
      "GET",
      `${AGENTS}/${runnerId}`,
      [200],
      options,
      undefined,
      runnerNotFound,
    );
    return decodeNullableBody("runnerReference", req, res, what);
  }

  /** The runner named `name`, or undefined (spec §3.11). @throws ScaleSetError `NOT_UNIQUE`. */
  async getRunnerByName(
    name: string,
    options?: RequestOptions,
  ): Promise<RunnerReference | undefined> {
    requireName("name", name);
    const what = "failed to get runner by name";
    const { req, res } = await this.#call(
      what,
      "GET",
      `${AGENTS}?agentName=${name}`,
      [200],
      options,
    );
    const list = await decodeBody("runnerReferenceList", req, res, what);
    return pickByCount(list, `runners found with name "${name}"`, what);
  }

  /**
   * Removes a runner (204 expected; spec §3.12).
   * @throws HttpError `JOB_STILL_RUNNING` while it runs a job, `RUNNER_NOT_FOUND` when unknown.
   */
  async removeRunner(runnerId: number, options?: RequestOptions): Promise<void> {
    requireId("runnerId", runnerId);
    await this.#call(
      "failed to remove runner",
      "DELETE",
      `${AGENTS}/${runnerId}`,
      [204],
      options,
      undefined,
      runnerNotFound,
    );
  }

  /**
   * Creates a message session for the scale set and returns its client (spec §3.13).
   * @throws HttpError `SESSION_CONFLICT` when another session is active, `SCALE_SET_NOT_FOUND`.
   */
  async createMessageSession(
    scaleSetId: number,
    owner: string,
    options?: RequestOptions,
  ): Promise<MessageSessionClient> {
    requireId("scaleSetId", scaleSetId);
    if (typeof owner !== "string") throw new ConfigError("owner", "must be a string");
    return createSession(this.#service, scaleSetId, owner, options);
  }

  /**
   * Deletes a message session by id (DELETE with the admin token, 204 expected; spec §3.13), e.g.
   * the session an earlier run of this process left open. The service lets the admin token delete
   * any session of the scale set, so only delete ids you created yourself.
   * @throws HttpError `SESSION_NOT_FOUND` when it is already gone (404, or 400
   * `RunnerScaleSetSessionExpiredException`); ConfigError (nothing sent) for a non-UUID id.
   */
  async deleteMessageSession(
    scaleSetId: number,
    sessionId: string,
    options?: RequestOptions,
  ): Promise<void> {
    requireId("scaleSetId", scaleSetId);
    await deleteSession(this.#service, scaleSetId, sessionId, options);
  }

  #call(
    what: string,
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    accept: number[],
    options: RequestOptions | undefined,
    body?: string,
    classify?: StatusClassifier,
  ) {
    return this.#service.call({
      what,
      method,
      path,
      accept,
      signal: options?.signal,
      ...(body === undefined ? {} : { body }),
      ...(classify ? { classify } : {}),
    });
  }
}

/** count 0 → undefined; 1 → the item; > 1 → `NOT_UNIQUE`; count 1 with no item → `BAD_RESPONSE`. */
function pickByCount<T>(
  list: { count: number; value: T[] },
  several: string,
  what: string,
): T | undefined {
  if (list.count === 0) return undefined;
  if (list.count > 1) throw new ScaleSetError("NOT_UNIQUE", `${what}: multiple ${several}`);
  const first = list.value[0];
  if (first === undefined) {
    throw new ScaleSetError("BAD_RESPONSE", `${what}: response says count 1 but holds no value`);
  }
  return first;
}
