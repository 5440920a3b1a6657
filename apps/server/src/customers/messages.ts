import { defineMessages, type Message } from '../platform/messages.js';

/** What customers tells a person, in English and Spanish (see platform/messages.ts). */
export const cm = defineMessages('customers', {
  // Custom texts of the zod schemas.
  date_or_time: {
    en: 'must be a date like 2025-05-01 or a time like 2025-05-01T10:00:00Z',
    es: 'debe ser una fecha como 2025-05-01 o una hora como 2025-05-01T10:00:00Z',
  },
  trait_value_needs_key: { en: 'traitValue needs traitKey', es: 'traitValue necesita traitKey' },
  name_without_spaces: { en: 'must be a name without spaces', es: 'debe ser un nombre sin espacios' },
  exactly_one_of: { en: 'give exactly one of {keys}', es: 'indica exactamente uno de {keys}' },
  external_id_needs_namespace: { en: 'externalId needs namespace', es: 'externalId necesita namespace' },
  namespace_needs_external_id: { en: 'namespace goes with externalId', es: 'namespace va con externalId' },
  at_most_traits: { en: 'must have at most 200 traits', es: 'debe tener como máximo 200 rasgos' },
  give_an_identifier: {
    en: 'give at least one of email, phone, userId or traits',
    es: 'indica al menos uno de email, phone, userId o traits',
  },
  name_a_customer: { en: 'must name at least one customer', es: 'debe indicar al menos un cliente' },
  at_most_customers: { en: 'at most 1000 customers at once', es: 'como máximo 1000 clientes a la vez' },
  give_tags: { en: 'give tags to add or remove', es: 'indica etiquetas para añadir o quitar' },
  one_column: { en: 'must show at least one column', es: 'debe mostrar al menos una columna' },
  no_repeated_column: { en: 'must not repeat a column', es: 'no puede repetir una columna' },
  // The service.
  list_cursor: {
    en: 'cursor: not a cursor of this list and sort (start again without it)',
    es: 'cursor: no es un cursor de esta lista y orden (vuelve a empezar sin él)',
  },
  give_one_identifier: { en: 'email: give one identifier to look up', es: 'email: indica un identificador que buscar' },
  bad_identifier: { en: '{field}: {reason}', es: '{field}: {reason}' },
  not_a_member: {
    en: 'ownerUserId: not a member of this workspace',
    es: 'ownerUserId: no es miembro de este espacio de trabajo',
  },
  identifier_taken: {
    en: '{field}: {value} already belongs to customer {customerId}',
    es: '{field}: {value} ya pertenece al cliente {customerId}',
  },
  merge_into_itself: {
    en: 'customerId: cannot merge a profile into itself',
    es: 'customerId: no se puede fusionar un perfil consigo mismo',
  },
  merge_itself: { en: 'Cannot merge a profile into itself', es: 'No se puede fusionar un perfil consigo mismo' },
  already_merged: {
    en: 'customerId: {mergedId} is already merged into {survivorId}',
    es: 'customerId: {mergedId} ya está fusionado con {survivorId}',
  },
  conflict_closed: {
    en: 'conflictId: the conflict is already {status}',
    es: 'conflictId: el conflicto ya está {status}',
  },
  customer_not_found: { en: 'Customer not found', es: 'No se encontró el cliente' },
  conflict_not_found: { en: 'Conflict not found', es: 'No se encontró el conflicto' },
  company_not_found: { en: 'Company not found', es: 'No se encontró la empresa' },
  view_not_found: { en: 'View not found', es: 'No se encontró la vista' },
  view_name_taken: {
    en: 'name: a view called "{name}" already exists',
    es: 'name: ya existe una vista llamada "{name}"',
  },
  too_many_views: {
    en: 'name: a workspace keeps at most {max} views',
    es: 'name: un espacio de trabajo guarda como máximo {max} vistas',
  },
  // Why an identifier was refused (identifiers.ts).
  reason_empty: { en: 'empty', es: 'vacío' },
  reason_too_long: { en: 'longer than 200 characters', es: 'más de 200 caracteres' },
  reason_not_email: { en: 'not an email address', es: 'no es una dirección de correo electrónico' },
  reason_not_phone: { en: 'not a phone number', es: 'no es un número de teléfono' },
  reason_not_identifier: { en: 'not an identifier', es: 'no es un identificador' },
  reason_invalid: { en: 'is invalid', es: 'no es válido' },
  reason_not_string: { en: 'not a string ({type})', es: 'no es texto ({type})' },
  reason_placeholder: { en: 'placeholder value "{value}"', es: 'valor de relleno "{value}"' },
});

/**
 * Why an identifier was refused, as a message. The reasons are written in English where they
 * are made (they are also stored, e.g. in an import's rejected lines); these are all of them.
 */
export function identifierReason(reason: string | undefined, fallback: 'not_identifier' | 'invalid'): Message {
  if (reason === undefined) return cm(fallback === 'invalid' ? 'reason_invalid' : 'reason_not_identifier');
  const fixed = {
    empty: cm('reason_empty'),
    'longer than 200 characters': cm('reason_too_long'),
    'not an email address': cm('reason_not_email'),
    'not a phone number': cm('reason_not_phone'),
  }[reason];
  if (fixed) return fixed;
  const notString = /^not a string \((.+)\)$/.exec(reason);
  if (notString) return cm('reason_not_string', { type: notString[1] as string });
  const placeholder = /^placeholder value "(.*)"$/.exec(reason);
  if (placeholder) return cm('reason_placeholder', { value: placeholder[1] as string });
  return cm('reason_invalid');
}
