import { defineMessages } from '../platform/messages.js';

/** What ingest tells a person, in English and Spanish (see platform/messages.ts). */
export const gm = defineMessages('ingest', {
  source_not_found: { en: 'Source not found', es: 'No se encontró la fuente' },
  quarantined_not_found: { en: 'Quarantined event not found', es: 'No se encontró el evento en cuarentena' },
  already_resolved: { en: 'This event was already {status}', es: 'Este evento ya está {status}' },
  still_invalid: { en: 'Still invalid: {reason}', es: 'Sigue sin ser válido: {reason}' },
  unsupported_encoding: {
    en: 'Content-Encoding {encoding} is not supported; use gzip',
    es: 'No se admite Content-Encoding {encoding}; usa gzip',
  },
  no_write_key: {
    en: 'Send the write key as the user name of HTTP Basic auth, or as writeKey in the body',
    es: 'Envía la clave de escritura como usuario de la autenticación HTTP Basic, o como writeKey en el cuerpo',
  },
  write_key_flood: {
    en: 'Too many requests for this write key; retry after a second',
    es: 'Demasiadas peticiones con esta clave de escritura; vuelve a intentarlo en un segundo',
  },
  unknown_write_key: {
    en: 'Unknown write key (rotated keys stop working after their grace period)',
    es: 'Clave de escritura desconocida (las claves rotadas dejan de funcionar tras su periodo de gracia)',
  },
});
