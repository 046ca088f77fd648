/**
 * Message sessions (spec §3.13): one live session per scale set, expiry when nobody polls,
 * tombstones so a delete after expiry answers like the service.
 * @module
 */
import { randomUUID } from "node:crypto";
import { type ServiceContext, serviceBase } from "./context.js";
import type { SessionRecord } from "./records.js";
import { scaleSetJson } from "./scale-set-json.js";

const MAX_TOMBSTONES = 10_000;

/** True while a session counts as live (polled recently, or a poll is in flight). */
export function isLive(ctx: ServiceContext, s: SessionRecord, nowMs = Date.now()): boolean {
  return s.activePolls > 0 || nowMs - s.lastActivityAt < ctx.options.sessionTtlMs;
}

/** The live session of a scale set; an abandoned one is expired on the way. */
export function liveSession(ctx: ServiceContext, scaleSetId: number): SessionRecord | undefined {
  const s = ctx.state.sessions.get(scaleSetId);
  if (!s) return undefined;
  if (isLive(ctx, s)) return s;
  expireSession(ctx, scaleSetId);
  return undefined;
}

/** Opens a session; the caller has checked there is no live one. */
export function openSession(
  ctx: ServiceContext,
  scaleSetId: number,
  ownerName: string,
): SessionRecord {
  const now = Date.now();
  const s: SessionRecord = {
    sessionId: randomUUID(),
    scaleSetId,
    ownerName,
    createdAt: now,
    lastActivityAt: now,
    activePolls: 0,
  };
  ctx.state.sessions.set(scaleSetId, s);
  ctx.state.queue(scaleSetId);
  return s;
}

/**
 * The session JSON (create and refresh answers) with a fresh queue token and statistics; URLs on
 * `base` (see `publicBase`).
 */
export function sessionJson(
  ctx: ServiceContext,
  s: SessionRecord,
  base: string,
): Record<string, unknown> {
  const scaleSet = ctx.state.scaleSets.get(s.scaleSetId);
  const token = ctx.tokens.issueJwt("queue", ctx.options.queueTokenTtlMs, {
    sid: s.sessionId,
    ssid: s.scaleSetId,
  });
  return {
    sessionId: s.sessionId,
    ownerName: s.ownerName,
    ...(scaleSet ? { runnerScaleSet: scaleSetJson(ctx, scaleSet, base) } : {}),
    messageQueueUrl: messageQueueUrl(base, s),
    messageQueueAccessToken: token,
    statistics: ctx.state.statistics(s.scaleSetId),
  };
}

/** Pre-broker queue URL shape: `…/runnerscalesets/{id}/messages?sessionId={guid}` (spec §1.3). */
export function messageQueueUrl(base: string, s: SessionRecord): string {
  return `${serviceBase(base)}_apis/runtime/runnerscalesets/${s.scaleSetId}/messages?sessionId=${s.sessionId}`;
}

/** Ends a session as "expired": later refresh/delete answer SessionExpiredException. */
export function expireSession(ctx: ServiceContext, scaleSetId: number): void {
  const s = ctx.state.sessions.get(scaleSetId);
  if (!s) return;
  ctx.state.sessions.delete(scaleSetId);
  ctx.state.expiredSessions.set(s.sessionId, scaleSetId);
  if (ctx.state.expiredSessions.size > MAX_TOMBSTONES) {
    const first = ctx.state.expiredSessions.keys().next().value;
    if (first !== undefined) ctx.state.expiredSessions.delete(first);
  }
  ctx.state.queue(scaleSetId).waiters.notify();
}

/** Forgets a session entirely (broker eviction): later refresh/delete answer 404. */
export function evictSession(ctx: ServiceContext, scaleSetId: number): void {
  if (!ctx.state.sessions.delete(scaleSetId)) return;
  ctx.state.queue(scaleSetId).waiters.notify();
}

/** Expires every session nobody polled within the TTL. */
export function sweepSessions(ctx: ServiceContext, nowMs = Date.now()): boolean {
  let changed = false;
  for (const s of [...ctx.state.sessions.values()]) {
    if (!isLive(ctx, s, nowMs)) {
      expireSession(ctx, s.scaleSetId);
      changed = true;
    }
  }
  return changed;
}
