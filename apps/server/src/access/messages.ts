import { defineMessages } from '../platform/messages.js';

/** What access tells a person, in English and Spanish (see platform/messages.ts). */
export const am = defineMessages('access', {
  // Custom texts of the zod schemas.
  must_be_email: { en: 'must be an email address', es: 'debe ser una dirección de correo electrónico' },
  password_min: { en: 'must be at least 10 characters', es: 'debe tener al menos 10 caracteres' },
  country_code: {
    en: 'must be an ISO 3166 two-letter country code like US or ES',
    es: 'debe ser un código de país ISO 3166 de dos letras, como US o ES',
  },
  currency_code: {
    en: 'must be an ISO 4217 currency code like USD or EUR',
    es: 'debe ser un código de moneda ISO 4217, como USD o EUR',
  },
  time_zone: {
    en: 'must be an IANA time zone like Europe/Madrid',
    es: 'debe ser una zona horaria IANA, como Europe/Madrid',
  },
  language_tag: {
    en: 'must be a language tag like en or es-ES',
    es: 'debe ser una etiqueta de idioma, como en o es-ES',
  },
  day_or_instant: {
    en: 'must be a date like 2025-03-31 or a date-time like 2025-03-31T09:00:00Z',
    es: 'debe ser una fecha como 2025-03-31 o una fecha y hora como 2025-03-31T09:00:00Z',
  },
  one_scope: { en: 'must name at least one scope', es: 'debe indicar al menos un ámbito' },
  // Sign-in, sessions and passwords.
  already_set_up: { en: 'Kith is already set up: sign in instead', es: 'Kith ya está configurado: inicia sesión' },
  too_many_sign_ins: {
    en: 'Too many failed sign-in attempts. Try again in {seconds} seconds.',
    es: 'Demasiados intentos fallidos de inicio de sesión. Vuelve a intentarlo dentro de {seconds} segundos.',
  },
  wrong_credentials: { en: 'Wrong email or password', es: 'Correo electrónico o contraseña incorrectos' },
  wrong_current_password: { en: 'The current password is wrong', es: 'La contraseña actual no es correcta' },
  workspace_not_found: { en: 'Workspace not found', es: 'No se encontró el espacio de trabajo' },
  member_not_found: { en: 'Member not found', es: 'No se encontró el miembro' },
  owner_role_only_owner: {
    en: 'Only an owner can grant or change the owner role',
    es: 'Solo un propietario puede conceder o cambiar el rol de propietario',
  },
  last_owner: {
    en: 'A workspace needs at least one owner',
    es: 'Un espacio de trabajo necesita al menos un propietario',
  },
  remove_owner_only_owner: {
    en: 'Only an owner can remove an owner',
    es: 'Solo un propietario puede quitar a un propietario',
  },
  reset_needs_person: {
    en: 'Only a signed-in person can reset a password',
    es: 'Solo una persona con sesión iniciada puede restablecer una contraseña',
  },
  own_password: {
    en: 'Change your own password with your current one instead',
    es: 'Cambia tu propia contraseña con la actual',
  },
  reset_owner_only_owner: {
    en: "Only an owner can reset an owner's password",
    es: 'Solo un propietario puede restablecer la contraseña de un propietario',
  },
  other_workspace: {
    en: 'This person also belongs to another business where you cannot manage them: an owner there must reset it',
    es: 'Esta persona también pertenece a otro negocio donde no puedes gestionarla: debe restablecerla un propietario de ese negocio',
  },
  reset_not_found: { en: 'Password reset not found', es: 'No se encontró el restablecimiento de contraseña' },
  link_used: {
    en: 'This link was already used: sign in instead',
    es: 'Este enlace ya se ha usado: inicia sesión',
  },
  link_expired: {
    en: 'This link has expired: ask for a new one',
    es: 'Este enlace ha caducado: pide uno nuevo',
  },
  invite_owner_only_owner: {
    en: 'Only an owner can invite an owner',
    es: 'Solo un propietario puede invitar a un propietario',
  },
  invitation_not_found: { en: 'Invitation not found', es: 'No se encontró la invitación' },
  invitation_accepted: {
    en: 'This invitation was already accepted',
    es: 'Esta invitación ya se ha aceptado',
  },
  invitation_used: { en: 'This invitation was already used', es: 'Esta invitación ya se ha usado' },
  invitation_expired: {
    en: 'This invitation has expired: ask for a new one',
    es: 'Esta invitación ha caducado: pide una nueva',
  },
  has_account: {
    en: '{email} already has an account: enter its password',
    es: '{email} ya tiene una cuenta: escribe su contraseña',
  },
  unknown_scope: { en: 'scopes: unknown scope "{scope}"', es: 'scopes: ámbito desconocido "{scope}"' },
  api_key_not_found: { en: 'API key not found', es: 'No se encontró la clave de API' },
  // The auth plugin.
  bad_api_key: {
    en: 'The API key is not valid, or was revoked',
    es: 'La clave de API no es válida o se ha revocado',
  },
  csrf: {
    en: 'Missing or wrong {header} header (get it from GET /api/v1/session)',
    es: 'Falta la cabecera {header} o no es correcta (obtenla de GET /api/v1/session)',
  },
  people_only: {
    en: 'This endpoint is for signed-in people, not API keys',
    es: 'Este endpoint es para personas con sesión iniciada, no para claves de API',
  },
  choose_workspace: {
    en: 'Choose a workspace first (POST /api/v1/session/workspace)',
    es: 'Elige primero un espacio de trabajo (POST /api/v1/session/workspace)',
  },
  key_scopes: {
    en: "This API key's scopes do not include {permission}",
    es: 'Los ámbitos de esta clave de API no incluyen {permission}',
  },
  role_denies: {
    en: 'The {role} role does not allow {permission}',
    es: 'El rol {role} no permite {permission}',
  },
});
