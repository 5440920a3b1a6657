import { defineMessages } from '../platform/messages.js';

/** What journeys tell a person, in English and Spanish (see platform/messages.ts). */
export const jm = defineMessages('journeys', {
  journey_not_found: { en: 'Journey not found', es: 'No se encontró el recorrido' },
  playbook_not_found: { en: 'No playbook "{key}"', es: 'No hay ningún playbook "{key}"' },
  task_not_found: { en: 'Task not found', es: 'No se encontró la tarea' },
  enrollment_not_found: { en: 'Journey enrollment not found', es: 'No se encontró la participación en el recorrido' },
  customer_not_found: { en: 'Customer not found', es: 'No se encontró el cliente' },
  name_taken: {
    en: 'name: a journey called "{name}" already exists',
    es: 'name: ya existe un recorrido llamado "{name}"',
  },
  test_send_node: {
    en: 'node: a test is sent from an email step of the draft',
    es: 'node: la prueba se envía desde un paso de email del borrador',
  },
  test_send_to: {
    en: 'to: an email address to send the test to',
    es: 'to: una dirección de email a la que enviar la prueba',
  },
  invalid_definition: {
    en: 'definition: {count} problem(s), the first at {path}: {message}',
    es: 'definition: {count} problema(s), el primero en {path}: {message}',
  },
  archived: {
    en: 'status: an archived journey cannot be changed or published',
    es: 'status: un recorrido archivado no se puede cambiar ni publicar',
  },
  not_published: {
    en: 'status: publish the journey first',
    es: 'status: publica primero el recorrido',
  },
  node_id_format: {
    en: 'a node id is 1 to 40 letters, digits, "_" or "-"',
    es: 'el id de un paso tiene de 1 a 40 letras, cifras, "_" o "-"',
  },
  time_of_day: { en: 'a time of day as HH:MM (24 h)', es: 'una hora del día como HH:MM (24 h)' },
  trait_or_fact: {
    en: 'give either a date trait or a fact (last_order_at, first_order_at, first_seen_at)',
    es: 'indica un rasgo de fecha o un dato (last_order_at, first_order_at, first_seen_at)',
  },
  wait_needs: {
    en: 'a wait needs a duration (for) or a time of day (untilTime)',
    es: 'una espera necesita una duración (for) o una hora del día (untilTime)',
  },
  split_sum: { en: 'the branches’ percentages must add up to 100', es: 'los porcentajes de las ramas deben sumar 100' },
  email_content: {
    en: 'an email needs a templateKey, or a subject and html',
    es: 'un email necesita un templateKey, o un asunto (subject) y html',
  },
  sms_content: { en: 'an SMS needs a templateKey or a body', es: 'un SMS necesita un templateKey o un texto (body)' },
  webhook_endpoint: { en: 'a webhook needs an endpointId', es: 'un webhook necesita un endpointId' },
  update_needs: {
    en: 'set a trait, add a tag or remove a tag',
    es: 'asigna un rasgo, añade una etiqueta o quita una etiqueta',
  },
  goal_needs: { en: 'a goal needs an event or a rule', es: 'un objetivo necesita un evento o una regla' },
  entry_days: {
    en: 'entry again_after needs days',
    es: 'la entrada again_after necesita days',
  },
  no_nodes: { en: 'a journey needs at least one step', es: 'un recorrido necesita al menos un paso' },
  too_many_nodes: { en: 'at most {max} steps', es: 'como máximo {max} pasos' },
  unknown_node: { en: 'no step "{id}" in this journey', es: 'no hay ningún paso "{id}" en este recorrido' },
  self_loop: {
    en: 'a step that does not wait cannot lead to itself',
    es: 'un paso que no espera no puede llevar a sí mismo',
  },
  unreachable: {
    en: 'no path from the start reaches this step',
    es: 'ningún camino desde el inicio llega a este paso',
  },
  loop_without_wait: {
    en: 'these steps loop without a wait: {nodes}',
    es: 'estos pasos forman un bucle sin espera: {nodes}',
  },
  ref_no_segment: {
    en: 'no segment {id} in this workspace',
    es: 'no hay ningún segmento {id} en este espacio de trabajo',
  },
  ref_not_static: { en: 'segment {id} is not a static list', es: 'el segmento {id} no es una lista estática' },
  ref_no_template: {
    en: 'no template "{key}" in this workspace',
    es: 'no hay ninguna plantilla "{key}" en este espacio de trabajo',
  },
  ref_channel: {
    en: 'the {channel} channel is not available on this server',
    es: 'el canal {channel} no está disponible en este servidor',
  },
  ref_no_member: {
    en: 'no team member {id} in this workspace',
    es: 'no hay ningún miembro del equipo {id} en este espacio de trabajo',
  },
  quiet_hours: {
    en: 'quietHours: start and end must differ',
    es: 'quietHours: el inicio y el fin deben ser distintos',
  },
});
