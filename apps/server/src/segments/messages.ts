import { defineMessages } from '../platform/messages.js';

/**
 * What segments tell a person, in English and Spanish (see platform/messages.ts). Op names,
 * condition types and field names stay as the API spells them.
 */
export const sm = defineMessages('segments', {
  // Segments and their members.
  segment_not_found: { en: 'Segment not found', es: 'No se encontró el segmento' },
  customer_not_found: { en: 'Customer not found', es: 'No se encontró el cliente' },
  name_taken: {
    en: 'name: a segment called "{name}" already exists',
    es: 'name: ya existe un segmento llamado "{name}"',
  },
  no_such_segment: {
    en: '{field}: no segment {id} in this workspace',
    es: '{field}: no hay ningún segmento {id} en este espacio de trabajo',
  },
  segment_cycle: {
    en: '{field}: segments would refer to each other in a cycle',
    es: '{field}: los segmentos se harían referencia entre sí en un ciclo',
  },
  dynamic_needs_rule: {
    en: 'rule: a dynamic segment needs a rule',
    es: 'rule: un segmento dinámico necesita una regla',
  },
  static_no_rule_create: {
    en: 'rule: a static list has no rule (add members by hand or CSV)',
    es: 'rule: una lista estática no tiene regla (añade los miembros a mano o con un CSV)',
  },
  static_no_rule: { en: 'rule: a static list has no rule', es: 'rule: una lista estática no tiene regla' },
  segment_in_use: {
    en: 'id: segment {names} refers to this one; change it first',
    es: 'id: el segmento {names} hace referencia a este; cámbialo primero',
  },
  segments_in_use: {
    en: 'id: segments {names} refer to this one; change them first',
    es: 'id: los segmentos {names} hacen referencia a este; cámbialos primero',
  },
  members_follow_rule: {
    en: 'id: members of a dynamic segment follow its rule',
    es: 'id: los miembros de un segmento dinámico siguen su regla',
  },
  too_many_lines: { en: 'csv: at most {max} lines at once', es: 'csv: como máximo {max} líneas a la vez' },
  // Custom texts of the request schemas.
  name_at_least_one_customer: { en: 'must name at least one customer', es: 'debe indicar al menos un cliente' },
  // The rule language (rules.ts): custom texts of the condition schemas and of the tree walk.
  date_or_time: {
    en: 'must be a date like 2025-05-01 or a time like 2025-05-01T10:00:00Z',
    es: 'debe ser una fecha como 2025-05-01 o una hora como 2025-05-01T10:00:00Z',
  },
  date: { en: 'must be a date like 2025-05-01', es: 'debe ser una fecha como 2025-05-01' },
  to_after_from: { en: 'to must be after from', es: 'to debe ser posterior a from' },
  required_with_op: { en: 'is required with op {op}', es: 'es obligatorio con op {op}' },
  non_empty_list_with_in: {
    en: 'must be a non-empty list with op in',
    es: 'debe ser una lista no vacía con op in',
  },
  number_with_op: { en: 'must be a number with op {op}', es: 'debe ser un número con op {op}' },
  scalar_with_op: {
    en: 'must be a string, number or boolean with op {op}',
    es: 'debe ser un texto, un número o un booleano con op {op}',
  },
  value2_with_between: {
    en: 'is required with op between, and at least value',
    es: 'es obligatorio con op between, y al menos igual a value',
  },
  product_or_category: { en: 'give a product or a category', es: 'indica un producto o una categoría' },
  list_with_in: { en: 'must be a list with op in', es: 'debe ser una lista con op in' },
  one_channel_with_op: {
    en: 'must be one channel with op {op}',
    es: 'debe ser un solo canal con op {op}',
  },
  too_many_nodes: {
    en: 'a rule has at most {max} conditions and groups',
    es: 'una regla tiene como máximo {max} condiciones y grupos',
  },
  // {groups} is the JSON shape of the groups, `{all:[…]} | {any:[…]} | {not:…}`.
  not_a_node: {
    en: 'must be a condition or a group {groups}',
    es: 'debe ser una condición o un grupo {groups}',
  },
  unknown_group_field: { en: 'Unknown field in a group: {keys}', es: 'Campo desconocido en un grupo: {keys}' },
  unknown_group_fields: { en: 'Unknown fields in a group: {keys}', es: 'Campos desconocidos en un grupo: {keys}' },
  too_deep: {
    en: 'groups nest at most {levels} levels deep',
    es: 'los grupos se anidan como máximo {levels} niveles',
  },
  empty_group: {
    en: 'must be a non-empty list of conditions or groups',
    es: 'debe ser una lista no vacía de condiciones o grupos',
  },
  too_many_children: { en: 'must have at most {max} items', es: 'debe tener como máximo {max} elementos' },
  fact_one_of: {
    en: 'must be one of first_seen_at, last_seen_at, channels, acquisition_channel',
    es: 'debe ser uno de first_seen_at, last_seen_at, channels, acquisition_channel',
  },
  type_one_of: {
    en: 'type must be one of trait, tag, event, orders, last_order, bought, fact, segment, rfm, lifecycle, consent',
    es: 'type debe ser uno de trait, tag, event, orders, last_order, bought, fact, segment, rfm, lifecycle, consent',
  },
});
