import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor, Role } from '../platform/context.js';
import type { Db, Tx } from '../platform/db.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  UserError,
} from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { registerAuditTargetLabels, resolveAuditTargets } from './audit-targets.js';
import { formatApiKey, hashSecret, parseApiKey, randomToken, sha256, verifySecret } from './crypto.js';
import { am } from './messages.js';
import { canAssignRole, isValidScope, roleAllows } from './permissions.js';
import * as repo from './repository.js';

export const SESSION_DAYS = 30;
const INVITATION_DAYS_DEFAULT = 7;
const LOCK_AFTER_FAILURES = 5;
export const PASSWORD_RESET_HOURS = 24;

export interface RequestMeta {
  ip: string;
  userAgent?: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// A real hash to compare against when the email is unknown, so both paths cost the same.
let dummyHash: Promise<string> | undefined;
function getDummyHash(): Promise<string> {
  dummyHash ??= hashSecret(randomToken());
  return dummyHash;
}

// ── first run ─────────────────────────────────────────────────────────

export async function isSetupNeeded(db: Db): Promise<boolean> {
  return (await repo.countUsers(db)) === 0;
}

export interface SetupInput {
  workspaceName: string;
  email: string;
  password: string;
  name?: string;
  defaultCountry?: string;
  currency?: string;
  timezone?: string;
  locale?: string;
}

/** Creates the first workspace and its owner; refused once any user exists. */
export async function setupFirstOwner(db: Db, input: SetupInput) {
  const passwordHash = await hashSecret(input.password);
  return db.transaction().execute(async (tx) => {
    // Serialise concurrent first-run requests: only one may create the first user.
    await repo.lockUsers(tx);
    if ((await repo.countUsers(tx)) > 0) {
      throw new ConflictError('already_set_up', am('already_set_up'));
    }
    const workspace = await repo.insertWorkspace(tx, {
      id: newId('ws'),
      name: input.workspaceName.trim(),
      default_country: input.defaultCountry ?? 'US',
      currency: input.currency ?? 'USD',
      timezone: input.timezone ?? 'UTC',
      locale: input.locale ?? 'en',
    });
    const user = await repo.insertUser(tx, {
      id: newId('usr'),
      email: normalizeEmail(input.email),
      name: input.name?.trim() || null,
      password_hash: passwordHash,
    });
    await repo.insertMembership(tx, workspace.id, user.id, 'owner');
    // Setting up signs the owner in: that counts as their first sign-in.
    await repo.touchUserLogin(tx, user.id);
    return { user, workspace };
  });
}

/** Creates another workspace with the given person as its owner. */
export async function createWorkspace(
  db: Db,
  userId: string,
  input: { name: string } & Partial<Omit<SetupInput, 'email' | 'password'>>,
) {
  return db.transaction().execute(async (tx) => {
    const workspace = await repo.insertWorkspace(tx, {
      id: newId('ws'),
      name: input.name.trim(),
      default_country: input.defaultCountry ?? 'US',
      currency: input.currency ?? 'USD',
      timezone: input.timezone ?? 'UTC',
      locale: input.locale ?? 'en',
    });
    await repo.insertMembership(tx, workspace.id, userId, 'owner');
    return workspace;
  });
}

// ── sign-in and sessions ──────────────────────────────────────────────

/** Starts a session; returns the raw token (for the cookie) and its id. */
export async function createSession(db: Db | Tx, userId: string, workspaceId: string | null, meta: RequestMeta) {
  const token = randomToken(32);
  const id = newId('ses');
  await repo.insertSession(db, {
    id,
    token_hash: sha256(token),
    user_id: userId,
    workspace_id: workspaceId,
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
    expires_at: new Date(Date.now() + SESSION_DAYS * 86_400_000),
  });
  return { id, token };
}

async function firstWorkspaceOf(db: Db | Tx, userId: string): Promise<string | null> {
  const list = await repo.listUserWorkspaces(db, userId);
  return list[0]?.id ?? null;
}

/**
 * Checks email and password. Failures per (email, IP) are counted: each one answers more
 * slowly, and after five in 15 minutes the pair is locked out with a growing delay (429).
 */
export async function login(db: Db, input: { email: string; password: string }, meta: RequestMeta) {
  const email = normalizeEmail(input.email);
  const key = `login:${email}|${meta.ip}`;
  const throttle = await repo.findThrottle(db, key);
  if (throttle?.locked_until && throttle.locked_until.getTime() > Date.now()) {
    const seconds = Math.ceil((throttle.locked_until.getTime() - Date.now()) / 1000);
    throw new TooManyRequestsError(am('too_many_sign_ins', { seconds }), seconds);
  }
  const user = await repo.findUserByEmail(db, email);
  const ok = await verifySecret(user?.password_hash ?? (await getDummyHash()), input.password);
  if (!user || !ok) {
    const failures = await repo.recordFailure(db, key);
    if (failures >= LOCK_AFTER_FAILURES) {
      const seconds = Math.min(30 * 2 ** (failures - LOCK_AFTER_FAILURES), 15 * 60);
      await repo.lockThrottle(db, key, new Date(Date.now() + seconds * 1000));
    }
    await sleep(Math.min(250 * failures, 2000));
    throw new UserError(401, 'invalid_credentials', am('wrong_credentials'), 'password');
  }
  if (throttle) await repo.clearThrottle(db, key);
  await repo.touchUserLogin(db, user.id);
  const session = await createSession(db, user.id, await firstWorkspaceOf(db, user.id), meta);
  return { user, session };
}

/** The actor behind a session token, sliding its expiry; null when unknown or expired. */
export async function resolveSession(db: Db, token: string): Promise<Extract<Actor, { type: 'user' }> | null> {
  const row = await repo.findSessionByTokenHash(db, sha256(token));
  if (!row) return null;
  if (row.expires_at.getTime() < Date.now()) {
    await repo.deleteSession(db, row.id);
    return null;
  }
  if (Date.now() - row.last_seen_at.getTime() > 3_600_000) {
    await repo.touchSession(db, row.id, new Date(Date.now() + SESSION_DAYS * 86_400_000));
  }
  return {
    type: 'user',
    userId: row.user_id,
    email: row.email,
    sessionId: row.id,
    // A session whose membership was removed keeps no workspace.
    workspaceId: row.role ? row.workspace_id : null,
    role: (row.role as Role | null) ?? null,
  };
}

export async function logout(db: Db, sessionId: string) {
  await repo.deleteSession(db, sessionId);
}

export async function switchWorkspace(db: Db, actor: Extract<Actor, { type: 'user' }>, workspaceId: string) {
  const m = await repo.findMembership(db, workspaceId, actor.userId);
  if (!m) throw new NotFoundError(am('workspace_not_found'), 'workspaceId');
  await repo.setSessionWorkspace(db, actor.sessionId, workspaceId);
  return { ...actor, workspaceId, role: m.role };
}

/** What the app needs to know about the signed-in person. */
export async function sessionView(db: Db, actor: Extract<Actor, { type: 'user' }>) {
  const user = await repo.findUser(db, actor.userId);
  if (!user) throw new UnauthorizedError();
  const workspaces = await repo.listUserWorkspaces(db, actor.userId);
  const ws = actor.workspaceId ? await repo.findWorkspace(db, actor.workspaceId) : undefined;
  return {
    user: { id: user.id, email: user.email, name: user.name },
    workspace: ws ? workspaceView(ws) : null,
    role: actor.role,
    workspaces: workspaces.map((w) => ({ id: w.id, name: w.name, role: w.role })),
  };
}

export function workspaceView(w: repo.WorkspaceRow) {
  return {
    id: w.id,
    name: w.name,
    defaultCountry: w.default_country,
    currency: w.currency,
    timezone: w.timezone,
    locale: w.locale,
    createdAt: w.created_at.toISOString(),
  };
}

export async function changePassword(db: Db, actor: Extract<Actor, { type: 'user' }>, current: string, next: string) {
  const user = await repo.findUser(db, actor.userId);
  if (!user || !(await verifySecret(user.password_hash, current))) {
    throw new UserError(400, 'invalid_credentials', am('wrong_current_password'), 'currentPassword');
  }
  await repo.setUserPassword(db, user.id, await hashSecret(next));
  await repo.deleteUserSessions(db, user.id, actor.sessionId);
}

// ── workspace settings ────────────────────────────────────────────────

export async function getWorkspaceOrThrow(db: Db, workspaceId: string) {
  const ws = await repo.findWorkspace(db, workspaceId);
  if (!ws) throw new NotFoundError(am('workspace_not_found'));
  return ws;
}

export async function updateWorkspace(
  db: Db,
  workspaceId: string,
  patch: { name?: string; defaultCountry?: string; currency?: string; timezone?: string; locale?: string },
) {
  return repo.updateWorkspace(db, workspaceId, {
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.defaultCountry !== undefined ? { default_country: patch.defaultCountry } : {}),
    ...(patch.currency !== undefined ? { currency: patch.currency } : {}),
    ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
    ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
  });
}

// ── members ───────────────────────────────────────────────────────────

/** A person of the workspace (id, email, name, role), or undefined: for domains that assign work to people. */
export async function findWorkspaceMember(db: Db | Tx, workspaceId: string, userId: string) {
  return repo.findMember(db, workspaceId, userId);
}

export async function listMembers(db: Db, workspaceId: string) {
  return repo.listMembers(db, workspaceId);
}

function actorRole(actor: Actor): Role {
  // API keys with the admin scope act with admin rights (never owner).
  return actor.type === 'user' ? (actor.role ?? 'analyst') : 'admin';
}

export async function changeMemberRole(db: Db, actor: Actor, workspaceId: string, userId: string, role: Role) {
  return db.transaction().execute(async (tx) => {
    const m = await repo.findMembership(tx, workspaceId, userId);
    if (!m) throw new NotFoundError(am('member_not_found'));
    if (!canAssignRole(actorRole(actor), m.role) || !canAssignRole(actorRole(actor), role)) {
      throw new ForbiddenError(am('owner_role_only_owner'));
    }
    if (m.role === 'owner' && role !== 'owner' && (await repo.countOwners(tx, workspaceId)) <= 1) {
      throw new ConflictError('last_owner', am('last_owner'), 'role');
    }
    await repo.updateMembershipRole(tx, workspaceId, userId, role);
    return { ...m, role };
  });
}

export async function removeMember(db: Db, actor: Actor, workspaceId: string, userId: string) {
  await db.transaction().execute(async (tx) => {
    const m = await repo.findMembership(tx, workspaceId, userId);
    if (!m) throw new NotFoundError(am('member_not_found'));
    if (!canAssignRole(actorRole(actor), m.role)) throw new ForbiddenError(am('remove_owner_only_owner'));
    if (m.role === 'owner' && (await repo.countOwners(tx, workspaceId)) <= 1) {
      throw new ConflictError('last_owner', am('last_owner'));
    }
    await repo.deleteMembership(tx, workspaceId, userId);
  });
}

// ── password resets by an owner or admin ─────────────────────────────

/**
 * Makes a one-time link with which a member sets a new password (Kith sends no email: whoever
 * resets passes the link on). Only a person may do it, never an API key, and only for someone
 * they could manage in every workspace that person belongs to: otherwise an admin here could
 * take over an account that owns another business.
 */
export async function createPasswordReset(
  db: Db,
  actor: Actor,
  workspaceId: string,
  userId: string,
  publicUrl: string,
) {
  return db.transaction().execute(async (tx) => {
    const target = await repo.findMember(tx, workspaceId, userId);
    if (!target) throw new NotFoundError(am('member_not_found'));
    if (actor.type !== 'user') throw new ForbiddenError(am('reset_needs_person'));
    if (actor.userId === userId) {
      throw new UserError(400, 'own_password', am('own_password'), 'userId');
    }
    const mine = new Map((await repo.listMembershipsOf(tx, actor.userId)).map((m) => [m.workspace_id, m.role]));
    for (const m of await repo.listMembershipsOf(tx, userId)) {
      const role = mine.get(m.workspace_id);
      if (role && roleAllows(role, 'members:write') && canAssignRole(role, m.role)) continue;
      if (m.workspace_id === workspaceId) throw new ForbiddenError(am('reset_owner_only_owner'));
      throw new UserError(403, 'other_workspace', am('other_workspace'));
    }
    const token = randomToken(32);
    const row = await repo.insertPasswordReset(tx, {
      id: newId('pwr'),
      workspace_id: workspaceId,
      user_id: userId,
      token_hash: sha256(token),
      created_by: actor.userId,
      expires_at: new Date(Date.now() + PASSWORD_RESET_HOURS * 3_600_000),
    });
    return {
      id: row.id,
      userId,
      email: target.email,
      expiresAt: row.expires_at.toISOString(),
      link: `${publicUrl}/reset-password/${token}`,
    };
  });
}

async function usablePasswordReset(db: Db | Tx, token: string) {
  const r = await repo.findPasswordResetByTokenHash(db, sha256(token));
  // A link from a workspace the person has since left no longer works.
  if (!r || !(await repo.findMembership(db, r.workspace_id, r.user_id))) {
    throw new NotFoundError(am('reset_not_found'), 'token');
  }
  if (r.used_at) throw new ConflictError('already_used', am('link_used'), 'token');
  if (r.expires_at.getTime() <= Date.now()) {
    throw new UserError(410, 'expired', am('link_expired'), 'token');
  }
  return r;
}

/** What a reset link is for (the account's email), before the new password is chosen. */
export async function lookupPasswordReset(db: Db, token: string) {
  const r = await usablePasswordReset(db, token);
  return { email: r.email, workspaceName: r.workspace_name, expiresAt: r.expires_at.toISOString() };
}

/** Sets the new password once, ends every session of the person and lifts their sign-in lockouts. */
export async function completePasswordReset(db: Db, input: { token: string; password: string }) {
  const passwordHash = await hashSecret(input.password);
  return db.transaction().execute(async (tx) => {
    const r = await usablePasswordReset(tx, input.token);
    // Claimed atomically: of two concurrent uses, one wins.
    if (!(await repo.claimPasswordReset(tx, r.id))) {
      throw new ConflictError('already_used', am('link_used'), 'token');
    }
    await repo.setUserPassword(tx, r.user_id, passwordHash);
    await repo.deleteUserSessions(tx, r.user_id);
    await repo.clearLoginThrottles(tx, r.email);
    return { userId: r.user_id, email: r.email, workspaceId: r.workspace_id };
  });
}

// ── invitations ───────────────────────────────────────────────────────

export function invitationView(i: repo.InvitationRow) {
  const status: 'revoked' | 'accepted' | 'expired' | 'pending' = i.revoked_at
    ? 'revoked'
    : i.accepted_at
      ? 'accepted'
      : i.expires_at.getTime() < Date.now()
        ? 'expired'
        : 'pending';
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    status,
    createdAt: i.created_at.toISOString(),
    expiresAt: i.expires_at.toISOString(),
    acceptedAt: i.accepted_at?.toISOString() ?? null,
  };
}

/** Creates an invitation; the link (with its one-time token) is returned only now. */
export async function createInvitation(
  db: Db,
  actor: Actor,
  workspaceId: string,
  input: { email: string; role: Role; expiresInDays?: number },
  publicUrl: string,
) {
  if (!canAssignRole(actorRole(actor), input.role)) throw new ForbiddenError(am('invite_owner_only_owner'));
  const token = randomToken(32);
  const row = await repo.insertInvitation(db, {
    id: newId('inv'),
    workspace_id: workspaceId,
    email: normalizeEmail(input.email),
    role: input.role,
    token_hash: sha256(token),
    invited_by: actor.type === 'user' ? actor.userId : actor.keyId,
    expires_at: new Date(Date.now() + (input.expiresInDays ?? INVITATION_DAYS_DEFAULT) * 86_400_000),
  });
  return { invitation: invitationView(row), link: `${publicUrl}/invite/${token}` };
}

export async function listInvitations(db: Db, workspaceId: string) {
  return (await repo.listInvitations(db, workspaceId)).map(invitationView);
}

export async function revokeInvitation(db: Db, workspaceId: string, id: string) {
  const inv = await repo.findInvitation(db, workspaceId, id);
  if (!inv) throw new NotFoundError(am('invitation_not_found'));
  if (inv.accepted_at) throw new ConflictError('already_accepted', am('invitation_accepted'));
  return invitationView(inv.revoked_at ? inv : await repo.markInvitation(db, id, { revoked_at: new Date() }));
}

async function usableInvitation(db: Db | Tx, token: string) {
  const inv = await repo.findInvitationByTokenHash(db, sha256(token));
  if (!inv || inv.revoked_at) throw new NotFoundError(am('invitation_not_found'), 'token');
  if (inv.accepted_at) throw new ConflictError('already_accepted', am('invitation_used'), 'token');
  if (inv.expires_at.getTime() < Date.now()) {
    throw new UserError(410, 'expired', am('invitation_expired'), 'token');
  }
  return inv;
}

export async function lookupInvitation(db: Db, token: string) {
  const inv = await usableInvitation(db, token);
  return {
    workspaceName: inv.workspace_name,
    email: inv.email,
    role: inv.role,
    expiresAt: inv.expires_at.toISOString(),
  };
}

/**
 * Accepts an invitation: a new person sets a password; a person who already has an account
 * proves it with their password. Either way they join with the invited role and are signed in.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; password: string; name?: string },
  meta: RequestMeta,
) {
  const newHash = await hashSecret(input.password);
  return db.transaction().execute(async (tx) => {
    const inv = await usableInvitation(tx, input.token);
    let user = await repo.findUserByEmail(tx, inv.email);
    if (user) {
      if (!(await verifySecret(user.password_hash, input.password))) {
        throw new UserError(401, 'invalid_credentials', am('has_account', { email: inv.email }), 'password');
      }
    } else {
      user = await repo.insertUser(tx, {
        id: newId('usr'),
        email: inv.email,
        name: input.name?.trim() || null,
        password_hash: newHash,
      });
    }
    const existing = await repo.findMembership(tx, inv.workspace_id, user.id);
    if (!existing) await repo.insertMembership(tx, inv.workspace_id, user.id, inv.role);
    await repo.markInvitation(tx, inv.id, { accepted_at: new Date(), accepted_by: user.id });
    await repo.touchUserLogin(tx, user.id);
    const session = await createSession(tx, user.id, inv.workspace_id, meta);
    return { user, session, workspaceId: inv.workspace_id, invitationId: inv.id };
  });
}

// ── API keys ──────────────────────────────────────────────────────────

export function apiKeyView(k: repo.ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    createdAt: k.created_at.toISOString(),
    lastUsedAt: k.last_used_at?.toISOString() ?? null,
    revokedAt: k.revoked_at?.toISOString() ?? null,
  };
}

/** Creates a key; the full key is returned once and only its argon2 hash is stored. */
export async function createApiKey(
  db: Db,
  workspaceId: string,
  input: { name: string; scopes: string[] },
  createdBy: string | null,
) {
  const bad = input.scopes.find((s) => !isValidScope(s));
  if (bad) throw new UserError(400, 'invalid_request', am('unknown_scope', { scope: bad }), 'scopes');
  const id = newId('key');
  const secret = randomToken(32);
  const key = formatApiKey(id, secret);
  const row = await repo.insertApiKey(db, {
    id,
    workspace_id: workspaceId,
    name: input.name.trim(),
    prefix: key.slice(0, 12),
    key_hash: await hashSecret(secret),
    scopes: [...new Set(input.scopes)],
    created_by: createdBy,
  });
  return { apiKey: apiKeyView(row), key };
}

export async function listApiKeys(db: Db, workspaceId: string) {
  return (await repo.listApiKeys(db, workspaceId)).map(apiKeyView);
}

export async function revokeApiKey(db: Db, workspaceId: string, id: string) {
  const row = await repo.revokeApiKey(db, workspaceId, id);
  if (!row) throw new NotFoundError(am('api_key_not_found'));
  verifiedKeys.delete(id);
  return apiKeyView(row);
}

// argon2 on every request would cost ~20 ms; a key verified recently is remembered by the
// SHA-256 of the whole key for a minute. Revocation is still immediate: the row is read each time.
const verifiedKeys = new Map<string, { digest: string; until: number }>();

/** The actor behind an API key, or null when unknown, wrong or revoked. */
export async function resolveApiKey(
  db: Db,
  key: string,
  ip: string,
): Promise<Extract<Actor, { type: 'api_key' }> | null> {
  const parsed = parseApiKey(key);
  if (!parsed) return null;
  const row = await repo.findApiKey(db, parsed.keyId);
  if (!row || row.revoked_at) return null;
  const digest = sha256(key);
  const cached = verifiedKeys.get(row.id);
  if (!(cached && cached.digest === digest && cached.until > Date.now())) {
    if (!(await verifySecret(row.key_hash, parsed.secret))) return null;
    verifiedKeys.set(row.id, { digest, until: Date.now() + 60_000 });
  }
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) await repo.touchApiKey(db, row.id, ip);
  return { type: 'api_key', keyId: row.id, name: row.name, workspaceId: row.workspace_id, scopes: row.scopes };
}

// ── audit log ─────────────────────────────────────────────────────────

export interface AuditEntry {
  workspaceId: string;
  actor: Actor | { type: 'cli'; label: string };
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  details?: unknown;
}

/** Records who changed what. Called for every successful write (see auth plugin) and by the CLI. */
export async function recordAudit(db: Db | Tx, e: AuditEntry) {
  const a = e.actor;
  await repo.insertAudit(db, {
    id: newId('aud'),
    workspace_id: e.workspaceId,
    actor_type: a.type,
    actor_id: a.type === 'user' ? a.userId : a.type === 'api_key' ? a.keyId : null,
    actor_label: a.type === 'user' ? a.email : a.type === 'api_key' ? a.name : a.label,
    action: e.action,
    target_type: e.targetType ?? null,
    target_id: e.targetId ?? null,
    ip: e.ip ?? null,
    request_id: e.requestId ?? null,
    details: e.details ?? null,
  });
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The audit log, newest first. `from` and `to` are calendar days in the workspace's time zone
 * (`to` includes its whole day) or exact instants.
 */
export async function listAudit(
  db: Db,
  q: {
    workspaceId: string;
    action?: string;
    actorId?: string;
    targetId?: string;
    from?: string;
    to?: string;
    before?: string;
    limit?: number;
  },
) {
  const { from, to, ...rest } = q;
  const timezone =
    (from && DAY.test(from)) || (to && DAY.test(to)) ? (await getWorkspaceOrThrow(db, q.workspaceId)).timezone : 'UTC';
  const rows = await repo.listAudit(db, {
    ...rest,
    from: from ? (DAY.test(from) ? await repo.startOfDayIn(db, from, timezone) : new Date(from)) : undefined,
    until: to
      ? DAY.test(to)
        ? await repo.startOfDayIn(db, to, timezone, 1)
        : new Date(Date.parse(to) + 1)
      : undefined,
    limit: q.limit ?? 50,
  });
  const targets = await resolveAuditTargets(
    db,
    q.workspaceId,
    rows.flatMap((r) => (r.target_id ? [r.target_id] : [])),
  );
  return rows.map((r) => ({
    id: r.id,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    targetKind: (r.target_id && targets.get(r.target_id)?.kind) || null,
    targetLabel: r.target_id ? (targets.get(r.target_id)?.label ?? r.target_id) : null,
    ip: r.ip,
    requestId: r.request_id,
    details: r.details,
    createdAt: r.created_at.toISOString(),
  }));
}

// Access names its own targets in the audit log; other domains register theirs from their index.ts.
registerAuditTargetLabels('member', 'usr', async (db, workspaceId, ids) => {
  const rows = await repo.memberNames(db, workspaceId, ids);
  return new Map(rows.map((u) => [u.id, u.name ? `${u.name} (${u.email})` : u.email]));
});
registerAuditTargetLabels('api_key', 'key', async (db, workspaceId, ids) => {
  const rows = await repo.apiKeyNames(db, workspaceId, ids);
  return new Map(rows.map((k) => [k.id, k.name]));
});
registerAuditTargetLabels('invitation', 'inv', async (db, workspaceId, ids) => {
  const rows = await repo.invitationEmails(db, workspaceId, ids);
  return new Map(rows.map((i) => [i.id, i.email]));
});
// Only the workspace the log belongs to: another one (created from it) is not the reader's to name.
registerAuditTargetLabels('workspace', 'ws', async (db, workspaceId, ids) => {
  const ws = ids.includes(workspaceId) ? await repo.findWorkspace(db, workspaceId) : undefined;
  return new Map(ws ? [[ws.id, ws.name]] : []);
});

export async function listAuditActions(db: Db, workspaceId: string) {
  return repo.listAuditActions(db, workspaceId);
}

// ── for the command line ──────────────────────────────────────────────

export async function listAllWorkspaces(db: Db) {
  return repo.listAllWorkspaces(db);
}
