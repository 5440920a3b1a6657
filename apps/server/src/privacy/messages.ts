import { defineMessages } from '../platform/messages.js';

/**
 * What privacy tells a person, in English and Spanish (see platform/messages.ts). Channel,
 * purpose and status values stay as the API spells them.
 */
export const prm = defineMessages('privacy', {
  // Custom texts of the request schemas.
  date_time: {
    en: 'must be a time like 2025-05-01T10:00:00Z',
    es: 'debe ser una hora como 2025-05-01T10:00:00Z',
  },
  not_in_future: {
    en: 'must not be more than 5 minutes in the future',
    es: 'no puede estar más de 5 minutos en el futuro',
  },
  source_token: {
    en: 'must be a short lower-case name like api, app or preference_center',
    es: 'debe ser un nombre corto en minúsculas como api, app o preference_center',
  },
  evidence_size: {
    en: 'must have at most 20 fields',
    es: 'debe tener como máximo 20 campos',
  },
});
