/**
 * Messages a person reads in an API error, in English and Spanish (docs/adr/0007).
 *
 * Each domain declares its messages once with `defineMessages(domain, {key: {en, es}})` and
 * gets a typed `m(key, params)` that makes a `Message` (an id and its parameters). A
 * `UserError` carries the `Message`; the error mapping renders it in the caller's language
 * (`Accept-Language`, default English). `{name}` in a text is replaced by the parameter of
 * that name; both languages must use the same ones (a test walks the catalog).
 */

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface CatalogEntry {
  en: string;
  es: string;
}

export type ParamValue = string | number | Message;

export interface Message {
  readonly id: string;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** The `{name}` placeholders of a text, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
type ParamArgs<S extends string> = [Placeholders<S>] extends [never]
  ? []
  : [params: Record<Placeholders<S>, ParamValue>];

const catalog = new Map<string, CatalogEntry>();
/** English text of parameterless messages → their entry, to translate custom zod messages. */
const byEnglish = new Map<string, CatalogEntry>();

/** Declares a domain's messages; returns the function that makes them. */
export function defineMessages<const C extends Record<string, CatalogEntry>>(domain: string, entries: C) {
  for (const [key, entry] of Object.entries(entries)) {
    const id = `${domain}.${key}`;
    if (catalog.has(id)) throw new Error(`Message ${id} is declared twice`);
    catalog.set(id, entry);
    if (placeholders(entry.en).length === 0) byEnglish.set(entry.en, entry);
    templates = null;
  }
  return <K extends keyof C & string>(key: K, ...args: ParamArgs<C[K]['en']>): Message => ({
    id: `${domain}.${key}`,
    params: (args[0] ?? {}) as Record<string, ParamValue>,
  });
}

/** Every declared message (for the test that checks both languages). */
export function messageCatalog(): ReadonlyMap<string, CatalogEntry> {
  return catalog;
}

/** The names of the `{name}` placeholders of a text, sorted. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string))].sort();
}

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as Message).id === 'string' && 'params' in value;
}

/** The message in a language, its parameters filled in (parameters that are messages too). */
export function render(message: Message, language: Language): string {
  const entry = catalog.get(message.id);
  if (!entry) throw new Error(`Unknown message ${message.id}`);
  return entry[language].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = message.params[name];
    if (value === undefined) return whole;
    return isMessage(value) ? render(value, language) : String(value);
  });
}

/** The text of a parameterless message in English: what a zod schema's custom message says. */
export function english(message: Message): string {
  return render(message, 'en');
}

let templates: { pattern: RegExp; entry: CatalogEntry }[] | null = null;

/**
 * A custom (schema) message written in English, in another language: the catalog entry whose
 * English text it is (with its `{name}` parts filled in); null when it is not in the catalog.
 */
export function translateEnglish(text: string, language: Language): string | null {
  const exact = byEnglish.get(text);
  if (exact) return exact[language];
  templates ??= [...catalog.values()]
    // Only texts with words of their own: `{field}: {reason}` would match anything.
    .filter((entry) => placeholders(entry.en).length > 0 && entry.en.replace(/\{\w+\}|[^a-z]/gi, '').length >= 8)
    .map((entry) => ({
      entry,
      pattern: new RegExp(
        `^${entry.en
          .split(/(\{\w+\})/)
          .map((part) =>
            /^\{\w+\}$/.test(part) ? `(?<${part.slice(1, -1)}>.+?)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
          )
          .join('')}$`,
      ),
    }));
  for (const { pattern, entry } of templates) {
    const match = pattern.exec(text);
    if (match) return entry[language].replace(/\{(\w+)\}/g, (whole, name: string) => match.groups?.[name] ?? whole);
  }
  return null;
}

/**
 * The language to answer in, from an `Accept-Language` header: the supported one with the
 * highest weight (`es-ES;q=0.9` counts as `es`), English when none is given or none matches.
 */
export function pickLanguage(header: string | string[] | undefined): Language {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return 'en';
  let best: { language: Language; q: number } | null = null;
  for (const part of value.split(',')) {
    const [tag = '', ...attrs] = part.trim().split(';');
    const base = tag.trim().toLowerCase().split('-')[0] ?? '';
    if (!(LANGUAGES as readonly string[]).includes(base)) continue;
    const qAttr = attrs.map((a) => a.trim()).find((a) => a.startsWith('q='));
    const q = qAttr ? Number(qAttr.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { language: base as Language, q };
  }
  return best?.language ?? 'en';
}

/** Messages of the platform: the error mapping, generic refusals and the job queue. */
export const pm = defineMessages('platform', {
  unknown_fields: { en: 'Unknown fields: {keys}', es: 'Campos desconocidos: {keys}' },
  unknown_field: { en: 'Unknown field: {keys}', es: 'Campo desconocido: {keys}' },
  is_invalid: { en: 'is invalid', es: 'no es válido' },
  invalid_json: {
    en: 'Request body is not valid JSON: {detail}',
    es: 'El cuerpo de la petición no es JSON válido: {detail}',
  },
  unsupported_media_type: {
    en: 'Unsupported content type: {type}',
    es: 'Tipo de contenido no admitido: {type}',
  },
  payload_too_large: { en: 'The request body is too large', es: 'El cuerpo de la petición es demasiado grande' },
  bad_content_length: {
    en: 'The Content-Length header does not match the body',
    es: 'La cabecera Content-Length no coincide con el cuerpo',
  },
  rate_limited: { en: 'Too many requests; retry later', es: 'Demasiadas peticiones; vuelve a intentarlo más tarde' },
  bad_request: { en: 'Bad request', es: 'Petición incorrecta' },
  unavailable: {
    en: 'Temporarily unavailable; retry shortly',
    es: 'No disponible en este momento; vuelve a intentarlo en breve',
  },
  internal: {
    en: 'Something went wrong on our side. Quote the request id when you report it.',
    es: 'Algo ha fallado por nuestra parte. Indica el identificador de la petición al informar del problema.',
  },
  no_route: { en: 'No route {method} {path}', es: 'No existe la ruta {method} {path}' },
  forbidden: { en: 'Your role does not allow this action', es: 'Tu rol no permite esta acción' },
  unauthorized: {
    en: 'Sign in or send an API key (Authorization: Bearer kith_…)',
    es: 'Inicia sesión o envía una clave de API (Authorization: Bearer kith_…)',
  },
  not_a_cursor: {
    en: 'cursor: not a cursor this endpoint returned',
    es: 'cursor: no es un cursor devuelto por este endpoint',
  },
  // Custom messages of zod schemas shared by several domains.
  must_change_a_field: { en: 'must change at least one field', es: 'debe cambiar al menos un campo' },
  not_empty: { en: 'must not be empty', es: 'no puede estar vacío' },
  at_most_chars: { en: 'must be at most {max} characters', es: 'debe tener como máximo {max} caracteres' },
  // The job queue.
  job_option_range: {
    en: '{field} must be an integer from {min} to {max}',
    es: '{field} debe ser un número entero entre {min} y {max}',
  },
  job_queue_required: { en: 'queue is required', es: 'queue es obligatorio' },
  job_run_at_or_delay: { en: 'Give runAt or delaySeconds, not both', es: 'Indica runAt o delaySeconds, no ambos' },
  job_run_at_date: { en: 'runAt must be a valid Date', es: 'runAt debe ser una fecha válida' },
  job_delay: { en: 'delaySeconds must be a number ≥ 0', es: 'delaySeconds debe ser un número ≥ 0' },
  job_singleton_key: {
    en: 'singletonKey must be 1 to 500 characters',
    es: 'singletonKey debe tener entre 1 y 500 caracteres',
  },
  job_state: { en: 'state must be one of {states}', es: 'state debe ser uno de {states}' },
  job_not_found: { en: 'Job not found', es: 'No se encontró el trabajo' },
  job_duplicate: {
    en: 'A job with the same singleton key is already queued or running',
    es: 'Ya hay un trabajo con la misma clave única en cola o en ejecución',
  },
  job_not_json: {
    en: '{field} is not JSON-serialisable: {detail}',
    es: '{field} no se puede convertir a JSON: {detail}',
  },
  job_singleton_busy: {
    en: 'Could not enqueue the singleton job "{key}"; try again',
    es: 'No se pudo poner en cola el trabajo único "{key}"; vuelve a intentarlo',
  },
  job_not_retryable: {
    en: 'Only failed or cancelled jobs can be retried; this one is {state}',
    es: 'Solo se pueden reintentar los trabajos fallidos o cancelados; este está {state}',
  },
  job_not_cancellable: {
    en: 'Only queued jobs can be cancelled; this one is {state}',
    es: 'Solo se pueden cancelar los trabajos en cola; este está {state}',
  },
});
