import { type Generated, type Selectable, sql } from 'kysely';
import type { Role } from '../platform/context.js';
import { type Db, type Tx, tables } from '../platform/db.js';

interface WorkspacesTable {
  id: string;
  name: string;
  default_country: string;
  currency: string;
  timezone: string;
  locale: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  locale: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  last_login_at: Date | null;
}
interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: Generated<Date>;
}
interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  workspace_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
}
interface InvitationsTable {
  id: string;
  workspace_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string | null;
  created_at: Generated<Date>;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}
interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  created_by: string | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
}
interface AuditLogTable {
  id: string;
  workspace_id: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: unknown;
  created_at: Generated<Date>;
}
interface PasswordResetsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  created_by: string | null;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}
interface AuthThrottleTable {
  key: string;
  failures: Generated<number>;
  first_failure_at: Generated<Date>;
  locked_until: Date | null;
}

export interface AccessTables {
  workspaces: WorkspacesTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  auth_throttle: AuthThrottleTable;
  password_resets: PasswordResetsTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type UserRow = Selectable<UsersTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type SessionRow = Selectable<SessionsTable>;
export type PasswordResetRow = Selectable<PasswordResetsTable>;

const t = (db: Db | Tx) => tables<AccessTables>(db);

// ── workspaces and people ─────────────────────────────────────────────

export async function countUsers(db: Db | Tx): Promise<number> {
  const r = await t(db)
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Serialises first-run setup: one transaction at a time may create the first user. */
export async function lockUsers(tx: Tx) {
  await sql`lock table users in exclusive mode`.execute(tx);
}

export async function listAllWorkspaces(db: Db | Tx) {
  return t(db).selectFrom('workspaces').select(['id', 'name']).orderBy('created_at').execute();
}

export async function insertWorkspace(db: Db | Tx, row: Omit<WorkspaceRow, 'created_at' | 'updated_at'>) {
  return t(db).insertInto('workspaces').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findWorkspace(db: Db | Tx, id: string) {
  return t(db).selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateWorkspace(
  db: Db | Tx,
  id: string,
  patch: Partial<Omit<WorkspaceRow, 'id' | 'created_at' | 'updated_at'>>,
) {
  return t(db)
    .updateTable('workspaces')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertUser(db: Db | Tx, row: Pick<UsersTable, 'id' | 'email' | 'name' | 'password_hash'>) {
  return t(db).insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByEmail(db: Db | Tx, email: string) {
  return t(db).selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findUser(db: Db | Tx, id: string) {
  return t(db).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchUserLogin(db: Db | Tx, id: string) {
  await t(db).updateTable('users').set({ last_login_at: new Date() }).where('id', '=', id).execute();
}

export async function setUserPassword(db: Db | Tx, id: string, passwordHash: string) {
  await t(db)
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function insertMembership(db: Db | Tx, workspaceId: string, userId: string, role: Role) {
  await t(db)
    .insertInto('memberships')
    .values({ workspace_id: workspaceId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

export async function findMembership(db: Db | Tx, workspaceId: string, userId: string) {
  return t(db)
    .selectFrom('memberships')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function listUserWorkspaces(db: Db | Tx, userId: string) {
  return t(db)
    .selectFrom('memberships as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select(['w.id', 'w.name', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('w.created_at')
    .execute();
}

/** One member of a workspace with their name and role, or undefined. */
export async function findMember(db: Db | Tx, workspaceId: string, userId: string) {
  return t(db)
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role'])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

export async function listMembers(db: Db | Tx, workspaceId: string) {
  return t(db)
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at', 'u.last_login_at'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('m.created_at')
    .execute();
}

export async function updateMembershipRole(db: Db | Tx, workspaceId: string, userId: string, role: Role) {
  await t(db)
    .updateTable('memberships')
    .set({ role })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMembership(db: Db | Tx, workspaceId: string, userId: string) {
  await t(db).deleteFrom('memberships').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
  // Their sessions stay signed in, without this workspace.
  await t(db)
    .updateTable('sessions')
    .set({ workspace_id: null })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export async function countOwners(db: Db | Tx, workspaceId: string): Promise<number> {
  const r = await t(db)
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ── sessions ──────────────────────────────────────────────────────────

export async function insertSession(db: Db | Tx, row: Omit<SessionRow, 'created_at' | 'last_seen_at'>) {
  await t(db).insertInto('sessions').values(row).execute();
}

export async function findSessionByTokenHash(db: Db | Tx, tokenHash: string) {
  return t(db)
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('memberships as m', (j) =>
      j.onRef('m.user_id', '=', 's.user_id').onRef('m.workspace_id', '=', 's.workspace_id'),
    )
    .select(['s.id', 's.user_id', 's.workspace_id', 's.expires_at', 's.last_seen_at', 'u.email', 'm.role'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db | Tx, id: string, expiresAt: Date) {
  await t(db)
    .updateTable('sessions')
    .set({ last_seen_at: new Date(), expires_at: expiresAt })
    .where('id', '=', id)
    .execute();
}

export async function setSessionWorkspace(db: Db | Tx, id: string, workspaceId: string | null) {
  await t(db).updateTable('sessions').set({ workspace_id: workspaceId }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db | Tx, id: string) {
  await t(db).deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteUserSessions(db: Db | Tx, userId: string, exceptId?: string) {
  let q = t(db).deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  await q.execute();
}

// ── password resets ───────────────────────────────────────────────────

/** Every workspace a person belongs to, with their role there. */
export async function listMembershipsOf(db: Db | Tx, userId: string) {
  return t(db).selectFrom('memberships').select(['workspace_id', 'role']).where('user_id', '=', userId).execute();
}

/** A new reset link for a person; their earlier unused links stop working. */
export async function insertPasswordReset(db: Db | Tx, row: Omit<PasswordResetRow, 'created_at' | 'used_at'>) {
  await t(db)
    .updateTable('password_resets')
    .set({ expires_at: new Date() })
    .where('user_id', '=', row.user_id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .execute();
  return t(db).insertInto('password_resets').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findPasswordResetByTokenHash(db: Db | Tx, tokenHash: string) {
  return t(db)
    .selectFrom('password_resets as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .innerJoin('workspaces as w', 'w.id', 'r.workspace_id')
    .selectAll('r')
    .select(['u.email', 'w.name as workspace_name'])
    .where('r.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks a reset link used; false when it already was. */
export async function claimPasswordReset(db: Db | Tx, id: string): Promise<boolean> {
  const r = await t(db)
    .updateTable('password_resets')
    .set({ used_at: new Date() })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ── invitations ───────────────────────────────────────────────────────

export async function insertInvitation(
  db: Db | Tx,
  row: Omit<InvitationRow, 'created_at' | 'accepted_at' | 'accepted_by' | 'revoked_at'>,
) {
  return t(db).insertInto('invitations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listInvitations(db: Db | Tx, workspaceId: string) {
  return t(db)
    .selectFrom('invitations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function findInvitation(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('invitations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findInvitationByTokenHash(db: Db | Tx, tokenHash: string) {
  return t(db)
    .selectFrom('invitations as i')
    .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
    .selectAll('i')
    .select('w.name as workspace_name')
    .where('i.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function markInvitation(
  db: Db | Tx,
  id: string,
  patch: Partial<Pick<InvitationsTable, 'accepted_at' | 'accepted_by' | 'revoked_at'>>,
) {
  return t(db).updateTable('invitations').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

// ── API keys ──────────────────────────────────────────────────────────

export async function insertApiKey(
  db: Db | Tx,
  row: Omit<ApiKeyRow, 'created_at' | 'last_used_at' | 'last_used_ip' | 'revoked_at'>,
) {
  return t(db)
    .insertInto('api_keys')
    .values({ ...row, scopes: JSON.stringify(row.scopes) as unknown as string[] })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Db | Tx, workspaceId: string) {
  return t(db)
    .selectFrom('api_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function findApiKey(db: Db | Tx, id: string) {
  return t(db).selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function revokeApiKey(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function touchApiKey(db: Db | Tx, id: string, ip: string) {
  await t(db)
    .updateTable('api_keys')
    .set({ last_used_at: new Date(), last_used_ip: ip })
    .where('id', '=', id)
    .execute();
}

// ── audit log ─────────────────────────────────────────────────────────

export async function insertAudit(db: Db | Tx, row: Omit<AuditRow, 'created_at'>) {
  await t(db)
    .insertInto('audit_log')
    .values({ ...row, details: row.details === undefined ? null : JSON.stringify(row.details) })
    .execute();
}

export async function listAudit(
  db: Db | Tx,
  q: {
    workspaceId: string;
    action?: string;
    actorId?: string;
    targetId?: string;
    before?: string;
    /** Entries at or after this instant. */
    from?: Date;
    /** Entries strictly before this instant. */
    until?: Date;
    limit: number;
  },
) {
  let query = t(db).selectFrom('audit_log').selectAll().where('workspace_id', '=', q.workspaceId);
  if (q.action) query = query.where('action', 'like', `${q.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (q.actorId) query = query.where('actor_id', '=', q.actorId);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  if (q.before) query = query.where('id', '<', q.before);
  if (q.from) query = query.where('created_at', '>=', q.from);
  if (q.until) query = query.where('created_at', '<', q.until);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** The distinct actions recorded in a workspace, for the audit log's filter. */
export async function listAuditActions(db: Db | Tx, workspaceId: string) {
  const rows = await t(db)
    .selectFrom('audit_log')
    .select('action')
    .distinct()
    .where('workspace_id', '=', workspaceId)
    .orderBy('action')
    .limit(500)
    .execute();
  return rows.map((r) => r.action);
}

/** Midnight of a calendar day (YYYY-MM-DD) in a time zone, as an instant; `days` moves it. */
export async function startOfDayIn(db: Db | Tx, day: string, timezone: string, days = 0): Promise<Date> {
  const r = await sql<{ at: Date }>`
    select ((${day}::date + ${days}::int)::timestamp at time zone ${timezone}) as at`.execute(db);
  const at = r.rows[0]?.at;
  return at instanceof Date ? at : new Date(String(at));
}

// ── login throttle ────────────────────────────────────────────────────

export async function findThrottle(db: Db | Tx, key: string) {
  return t(db).selectFrom('auth_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Counts a failure in a rolling 15-minute window; returns the new count. */
export async function recordFailure(db: Db | Tx, key: string): Promise<number> {
  const r = await sql<{ failures: number }>`
    insert into auth_throttle (key, failures, first_failure_at) values (${key}, 1, now())
    on conflict (key) do update set
      failures = case when auth_throttle.first_failure_at < now() - interval '15 minutes' then 1 else auth_throttle.failures + 1 end,
      first_failure_at = case when auth_throttle.first_failure_at < now() - interval '15 minutes' then now() else auth_throttle.first_failure_at end
    returning failures`.execute(db);
  return Number(r.rows[0]?.failures ?? 1);
}

export async function lockThrottle(db: Db | Tx, key: string, until: Date) {
  await t(db).updateTable('auth_throttle').set({ locked_until: until }).where('key', '=', key).execute();
}

export async function clearThrottle(db: Db | Tx, key: string) {
  await t(db).deleteFrom('auth_throttle').where('key', '=', key).execute();
}

/** Forgets every sign-in lockout of an email (from any address): after its password was reset. */
export async function clearLoginThrottles(db: Db | Tx, email: string) {
  await t(db)
    .deleteFrom('auth_throttle')
    .where('key', 'like', `login:${email.replace(/[%_\\]/g, '\\$&')}|%`)
    .execute();
}

// ── names of audit targets ────────────────────────────────────────────

/** Members of the workspace among `ids`: their name and email. */
export async function memberNames(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('memberships.workspace_id', '=', workspaceId)
    .where('users.id', 'in', ids)
    .execute();
}

export async function apiKeyNames(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('api_keys')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}

export async function invitationEmails(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('invitations')
    .select(['id', 'email'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}
