/** A failed API call, parsed from the `{error: {code, message, field}}` body every 4xx/5xx carries. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    /** Seconds to wait before trying again, from `Retry-After` (429 and 503). */
    readonly retryAfter: number | null = null,
    /** More about the error when the server gives it (e.g. every problem of a journey definition). */
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Code used when the server could not be reached at all. */
export const NETWORK_ERROR = 'network_error';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const UNSAFE_METHODS: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// The CSRF token of the current session. Kept in memory only: the session cookie is httpOnly,
// and the token comes back with every session response (sign-in, setup, GET /session).
let csrfToken: string | null = null;

// The interface language, sent as Accept-Language so the API words its errors in it.
let language: string | null = null;

/** Sets the language the API answers in (the i18n module calls it when the language changes). */
export function setApiLanguage(next: string | null): void {
  language = next;
}

/** Remembers the CSRF token of the latest session response; `null` after signing out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, an empty body): fall through to the generic error.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown; details?: unknown } } | null)
    ?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(
      response.status,
      error.code,
      typeof error.message === 'string' ? error.message : response.statusText,
      typeof error.field === 'string' ? error.field : null,
      retryAfter,
      error.details,
    );
  }
  return new ApiError(response.status, `http_${response.status}`, response.statusText, null, retryAfter);
}

/** Calls the API on the same origin; resolves with the JSON body (undefined for 204) or throws an ApiError. */
export async function api<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (language) headers['accept-language'] = language;
  // A FormData body (file uploads) sets its own multipart content type.
  const isForm = options.body instanceof FormData;
  if (options.body !== undefined && !isForm) headers['content-type'] = 'application/json';
  if (UNSAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;

  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : isForm ? (options.body as FormData) : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, NETWORK_ERROR, cause instanceof Error ? cause.message : String(cause));
  }

  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
