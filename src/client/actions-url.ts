/**
 * URL building for Actions-service and message-queue requests (protocol-spec.md §3.1, §3.14,
 * §3.15, Appendix A.3–A.4).
 * @module
 */
import { API_VERSION } from "../wire/types.js";
import { goEncodeQuery, parseQuery } from "./go-json.js";

/**
 * Joins `relative` (a path, possibly with a query; values inserted unescaped, so `#` truncates)
 * onto `base`: paths joined with duplicate-slash collapsing and `.`/`..` resolution keeping a
 * trailing slash; queries merged (relative overwrites base), `api-version=6.0-preview` added
 * unless present, re-encoded sorted with form encoding.
 */
export function actionsUrl(base: string, relative: string): string {
  const key = `${base}\n${relative}`;
  const cached = recent.get(key);
  if (cached !== undefined) return cached;
  const url = buildActionsUrl(base, relative);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(key, url);
  return url;
}

// The same few URLs are built over and over (a burst asks for thousands of JIT configs); parsing
// and re-encoding each time was ~4 % of the client's CPU there.
const RECENT_MAX = 512;
const recent = new Map<string, string>();

function buildActionsUrl(base: string, relative: string): string {
  const baseUrl = new URL(base);
  const noFragment = relative.split("#", 1)[0] ?? "";
  const q = noFragment.indexOf("?");
  const relPath = q < 0 ? noFragment : noFragment.slice(0, q);
  const relQuery = q < 0 ? "" : noFragment.slice(q + 1);

  const joined = joinPath(baseUrl.pathname, relPath);
  const values = parseQuery(baseUrl.search.slice(1));
  for (const [k, v] of parseQuery(relQuery)) values.set(k, v);
  if (!values.has("api-version")) values.set("api-version", [API_VERSION]);
  return `${baseUrl.origin}${joined}?${goEncodeQuery(values)}`;
}

/** Go `url.JoinPath` semantics: clean the joined path, keep the last element's trailing `/`. */
export function joinPath(basePath: string, relPath: string): string {
  const trailing = relPath.endsWith("/");
  const out: string[] = [];
  for (const seg of `${basePath}/${relPath}`.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  const cleaned = `/${out.join("/")}`;
  return trailing && cleaned !== "/" ? `${cleaned}/` : cleaned;
}

/** A message-queue URL parsed once per session (the hot GetMessage/DeleteMessage path). */
export interface QueueUrl {
  readonly url: string;
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  /** The encoded query pairs sorting before and after `lastMessageId` (without it). */
  readonly queryBefore: string;
  readonly queryAfter: string;
}

/** A request target: the full URL and the origin/path split the transport sends. */
export interface UrlTarget {
  url: string;
  origin: string;
  path: string;
}

/** Parses a message-queue URL for {@link getMessageTarget} and {@link deleteMessageTarget}. */
export function parseQueueUrl(messageQueueUrl: string): QueueUrl {
  const url = new URL(messageQueueUrl);
  const before = new Map<string, string[]>();
  const after = new Map<string, string[]>();
  for (const [key, values] of parseQuery(url.search.slice(1))) {
    if (key < LAST_MESSAGE_ID) before.set(key, values);
    else if (key > LAST_MESSAGE_ID) after.set(key, values);
  }
  return {
    url: messageQueueUrl,
    origin: url.origin,
    pathname: url.pathname,
    search: url.search,
    queryBefore: goEncodeQuery(before),
    queryAfter: goEncodeQuery(after),
  };
}

const LAST_MESSAGE_ID = "lastMessageId";

/** GetMessage target: the queue URL as is, or with `lastMessageId` set when it is > 0 (§3.14). */
export function getMessageTarget(queue: QueueUrl, lastMessageId: number): UrlTarget {
  if (lastMessageId <= 0) {
    return { url: queue.url, origin: queue.origin, path: `${queue.pathname}${queue.search}` };
  }
  // Same as goEncodeQuery of the query with lastMessageId set, without re-encoding it each time.
  let query = `${LAST_MESSAGE_ID}=${lastMessageId}`;
  if (queue.queryBefore) query = `${queue.queryBefore}&${query}`;
  if (queue.queryAfter) query = `${query}&${queue.queryAfter}`;
  const path = `${queue.pathname}?${query}`;
  return { url: `${queue.origin}${path}`, origin: queue.origin, path };
}

/** DeleteMessage target: `/<messageId>` appended to the queue URL's path, its query kept (§3.15). */
export function deleteMessageTarget(queue: QueueUrl, messageId: number): UrlTarget {
  const path = `${queue.pathname}/${messageId}${queue.search}`;
  return { url: `${queue.origin}${path}`, origin: queue.origin, path };
}

/** GetMessage URL: the queue URL as is, or with `lastMessageId` set when it is > 0 (§3.14). */
export function getMessageUrl(messageQueueUrl: string, lastMessageId: number): string {
  return getMessageTarget(parseQueueUrl(messageQueueUrl), lastMessageId).url;
}

/** DeleteMessage URL: `/<messageId>` appended to the queue URL's path, its query kept (§3.15). */
export function deleteMessageUrl(messageQueueUrl: string, messageId: number): string {
  return deleteMessageTarget(parseQueueUrl(messageQueueUrl), messageId).url;
}
