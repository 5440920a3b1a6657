/** Access: workspaces, people and roles, sessions, API keys, invitations, audit log (PRV-4). */

export { type AuditTargetLabels, registerAuditTargetLabels } from './audit-targets.js';
export { authPlugin, CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from './auth.js';
export { actorAllows, type Permission, RESOURCES, roleAllows, scopesAllow } from './permissions.js';
export { accessRoutes } from './routes.js';
export {
  type AuditEntry,
  createApiKey,
  createSession,
  findWorkspaceMember,
  getWorkspaceOrThrow,
  isSetupNeeded,
  listAllWorkspaces,
  recordAudit,
  setupFirstOwner,
} from './service.js';
