import { defineMessages } from '../platform/messages.js';

/**
 * What messaging tells a person, in English and Spanish (see platform/messages.ts): API errors,
 * SMTP failures of the test email, and the texts of the unsubscribe page and the brand layout.
 * `{reason}` is the mail server's own answer, as it sent it.
 */
export const mm = defineMessages('messaging', {
  message_not_found: { en: 'Message not found', es: 'No se encontró el mensaje' },
  template_not_found: {
    en: 'templateKey: no template "{key}" in this workspace',
    es: 'templateKey: no hay ninguna plantilla "{key}" en este espacio de trabajo',
  },
  template_or_content: {
    en: 'give templateKey, or subject and html',
    es: 'indica templateKey, o subject y html',
  },
  template_needs_en: {
    en: 'variants: an English (en) variant is required',
    es: 'variants: se necesita una variante en inglés (en)',
  },
  template_invalid: {
    en: '{field}: the template does not compile: {reason}',
    es: '{field}: la plantilla no compila: {reason}',
  },
  // Email settings.
  email_not_configured: {
    en: 'Email is not set up yet: save the SMTP settings first',
    es: 'El correo aún no está configurado: guarda primero los ajustes SMTP',
  },
  password_unreadable: {
    en: 'The stored SMTP password can no longer be read (the server secret changed): enter it again',
    es: 'La contraseña SMTP guardada ya no se puede leer (cambió el secreto del servidor): vuelve a introducirla',
  },
  colour_hex: { en: 'must be a colour like #1a6b4c', es: 'debe ser un color como #1a6b4c' },
  http_url: { en: 'must be an http:// or https:// address', es: 'debe ser una dirección http:// o https://' },
  password_without_user: {
    en: 'password: give the user name the password belongs to',
    es: 'password: indica el usuario al que pertenece la contraseña',
  },
  // SMTP outcomes of the test email.
  smtp_unreachable: {
    en: 'Could not reach the mail server {host}:{port}: {reason}',
    es: 'No se pudo conectar con el servidor de correo {host}:{port}: {reason}',
  },
  smtp_timeout: {
    en: 'The mail server {host}:{port} did not answer in time',
    es: 'El servidor de correo {host}:{port} no respondió a tiempo',
  },
  smtp_tls: {
    en: 'Could not open a secure (TLS) connection to {host}:{port}: {reason}',
    es: 'No se pudo abrir una conexión segura (TLS) con {host}:{port}: {reason}',
  },
  smtp_auth: {
    en: 'The mail server refused the user name or password: {reason}',
    es: 'El servidor de correo rechazó el usuario o la contraseña: {reason}',
  },
  smtp_rejected: {
    en: 'The mail server refused the message: {reason}',
    es: 'El servidor de correo rechazó el mensaje: {reason}',
  },
  test_subject: { en: 'Test email from {business}', es: 'Correo de prueba de {business}' },
  test_body: {
    en: 'This is a test email from Kith for {business}. If you are reading it, your email settings work.',
    es: 'Este es un correo de prueba de Kith para {business}. Si lo estás leyendo, tus ajustes de correo funcionan.',
  },
  // The brand layout's footer.
  layout_unsubscribe: { en: 'Unsubscribe', es: 'Darse de baja' },
  layout_preferences: { en: 'Manage your preferences', es: 'Gestionar tus preferencias' },
  optin_subject: { en: 'Please confirm your subscription to {business}', es: 'Confirma tu suscripción a {business}' },
  optin_body: {
    en: 'You asked to receive our emails. Please confirm it is you:',
    es: 'Has pedido recibir nuestros emails. Confirma que eres tú:',
  },
  optin_button: { en: 'Yes, subscribe me', es: 'Sí, suscribirme' },
  optin_ignore: {
    en: 'If it was not you, ignore this email: you will not be subscribed.',
    es: 'Si no has sido tú, ignora este email: no te suscribiremos.',
  },
  optin_title: { en: 'Confirm your subscription', es: 'Confirma tu suscripción' },
  optin_question: {
    en: 'Receive emails from {business} at {email}?',
    es: '¿Recibir emails de {business} en {email}?',
  },
  optin_done: {
    en: 'Thank you: {email} will receive emails from {business}.',
    es: 'Gracias: {email} recibirá emails de {business}.',
  },
  prefs_title: { en: 'Your preferences', es: 'Tus preferencias' },
  prefs_intro: {
    en: 'Choose how {business} may send you news and offers.',
    es: 'Elige cómo puede enviarte {business} novedades y ofertas.',
  },
  prefs_save: { en: 'Save', es: 'Guardar' },
  prefs_saved: { en: 'Saved.', es: 'Guardado.' },
  prefs_channel_email: { en: 'Email', es: 'Correo electrónico' },
  prefs_channel_sms: { en: 'Text messages (SMS)', es: 'Mensajes de texto (SMS)' },
  prefs_channel_whatsapp: { en: 'WhatsApp messages', es: 'Mensajes de WhatsApp' },
  prefs_channel_push: { en: 'Push notifications', es: 'Notificaciones push' },
  prefs_channel_direct_mail: { en: 'Post', es: 'Correo postal' },
  prefs_channel_phone: { en: 'Phone calls', es: 'Llamadas' },
  template_exists: { en: 'key: a template "{key}" already exists', es: 'key: ya existe una plantilla "{key}"' },
  suppression_address: { en: 'address: an email address', es: 'address: una dirección de email' },
  suppression_not_found: {
    en: 'Address not on the suppression list',
    es: 'La dirección no está en la lista de supresión',
  },
  layout_why: {
    en: 'You are receiving this email as a customer of {business}.',
    es: 'Recibes este correo como cliente de {business}.',
  },
  // The unsubscribe page.
  unsubscribe_title: { en: 'Unsubscribe', es: 'Darse de baja' },
  unsubscribe_question: {
    en: 'Stop receiving marketing emails from {business} at {email}?',
    es: '¿Dejar de recibir correos comerciales de {business} en {email}?',
  },
  unsubscribe_button: { en: 'Unsubscribe', es: 'Darme de baja' },
  unsubscribed_title: { en: 'You are unsubscribed', es: 'Te has dado de baja' },
  unsubscribed_text: {
    en: '{business} will no longer send marketing emails to {email}. Emails about your orders still arrive.',
    es: '{business} ya no enviará correos comerciales a {email}. Los correos sobre tus pedidos seguirán llegando.',
  },
  link_invalid: {
    en: 'This link is not valid. Use the link in the latest email you received.',
    es: 'Este enlace no es válido. Usa el enlace del último correo que recibiste.',
  },
  // Webhooks.
  endpoint_not_found: { en: 'Webhook endpoint not found', es: 'No se encontró el endpoint de webhook' },
  webhook_endpoint_not_found: {
    en: 'endpointId: no webhook endpoint "{id}" in this workspace',
    es: 'endpointId: no hay ningún endpoint de webhook "{id}" en este espacio de trabajo',
  },
  kith_itself: {
    en: 'url: this address is this Kith server itself; use the address of the system that should receive the webhooks',
    es: 'url: esta dirección es el propio servidor de Kith; usa la dirección del sistema que debe recibir los webhooks',
  },
  url_http: {
    en: 'url: must be an http:// or https:// address without a user name or password',
    es: 'url: debe ser una dirección http:// o https:// sin usuario ni contraseña',
  },
  payload_not_json: {
    en: 'payload: must be a JSON value (an object, a list, text, a number…)',
    es: 'payload: debe ser un valor JSON (un objeto, una lista, texto, un número…)',
  },
  payload_too_large: {
    en: 'payload: at most {max} bytes of JSON',
    es: 'payload: como máximo {max} bytes de JSON',
  },
  webhook_secret_unreadable: {
    en: "The endpoint's signing secret can no longer be read (the server secret changed): rotate it",
    es: 'El secreto de firma del endpoint ya no se puede leer (cambió el secreto del servidor): rótalo',
  },
  template_part_required: { en: '{field}: required', es: '{field}: obligatorio' },
  // SMS.
  sms_not_configured: {
    en: 'SMS is not set up yet: save the SMS settings first',
    es: 'Los SMS aún no están configurados: guarda primero los ajustes de SMS',
  },
  auth_token_unreadable: {
    en: 'The stored auth token can no longer be read (the server secret changed): enter it again',
    es: 'El token de autenticación guardado ya no se puede leer (cambió el secreto del servidor): vuelve a introducirlo',
  },
  sms_field_required: {
    en: '{field}: required for the Twilio provider',
    es: '{field}: obligatorio con el proveedor Twilio',
  },
  sms_sender_required: {
    en: 'fromNumber: give a sender number or a messagingServiceSid',
    es: 'fromNumber: indica un número remitente o un messagingServiceSid',
  },
  e164: {
    en: 'must be a phone number in international format, like +34600123456',
    es: 'debe ser un número de teléfono en formato internacional, como +34600123456',
  },
  sms_body_or_template: {
    en: 'give templateKey or body',
    es: 'indica templateKey o body',
  },
  template_wrong_channel: {
    en: 'templateKey: "{key}" is a {channel} template',
    es: 'templateKey: "{key}" es una plantilla de {channel}',
  },
  sms_template_needs_text: {
    en: '{field}: an SMS template variant needs its text',
    es: '{field}: una variante de plantilla SMS necesita su texto',
  },
  sms_unreachable: {
    en: 'Could not reach the SMS provider: {reason}',
    es: 'No se pudo conectar con el proveedor de SMS: {reason}',
  },
  sms_timeout: {
    en: 'The SMS provider did not answer in time',
    es: 'El proveedor de SMS no respondió a tiempo',
  },
  sms_auth: {
    en: 'The SMS provider refused the account SID or auth token: {reason}',
    es: 'El proveedor de SMS rechazó el SID de cuenta o el token de autenticación: {reason}',
  },
  sms_rejected: {
    en: 'The SMS provider refused the message: {reason}',
    es: 'El proveedor de SMS rechazó el mensaje: {reason}',
  },
  test_sms: {
    en: 'Test SMS from {business}: your SMS settings work.',
    es: 'SMS de prueba de {business}: tus ajustes de SMS funcionan.',
  },
  sms_opt_out: { en: 'Reply STOP to opt out', es: 'Responde BAJA para darte de baja' },
  bad_signature: {
    en: 'The request signature (X-Twilio-Signature) is missing or wrong',
    es: 'La firma de la petición (X-Twilio-Signature) falta o no es correcta',
  },
});
