/**
 * Outgoing webhooks on the wire: the signature receivers verify (Stripe's scheme: HMAC-SHA256
 * over `${timestamp}.${body}` in `Kith-Signature: t=<unix>,v1=<hex>`), one POST with a timeout
 * and what its answer means (delivered, worth retrying, or failed for good), the retry delays,
 * and the one address rule: never Kith itself (docs/webhooks.md, docs/adr/0013).
 */
import crypto from 'node:crypto';

/** A new signing secret: `whsec_` and 32 random bytes (base64url). */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

/** `Kith-Signature`: `t=<unix seconds>,v1=<hex>` — one v1 per secret (two during a rotation's grace). */
export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  const v1 = secrets.map((s) => `v1=${crypto.createHmac('sha256', s).update(`${timestamp}.${body}`).digest('hex')}`);
  return [`t=${timestamp}`, ...v1].join(',');
}

/**
 * What a receiver does (also used by Kith's own tests): true when one `v1` of the header is the
 * HMAC of `${t}.${body}` under `secret` and `t` is within `toleranceSeconds` of now.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !/^[0-9a-f]{64}$/.test(v ?? '')) return false;
    return crypto.timingSafeEqual(Buffer.from(v as string, 'hex'), expected);
  });
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|\[::\])$/i;

const portOf = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));

/**
 * True when a URL would reach this Kith server: its public origin, or a loopback address on the
 * port it listens on. Other loopback ports and private networks stay allowed (tests, receivers
 * on the same machine or network); this guards against loops, not against a hostile owner.
 */
export function isKithItself(url: URL, self: { publicUrl: string; port?: number }): boolean {
  try {
    const pub = new URL(self.publicUrl);
    if (
      url.protocol === pub.protocol &&
      url.hostname.toLowerCase() === pub.hostname.toLowerCase() &&
      portOf(url) === portOf(pub)
    )
      return true;
  } catch {
    // no usable public URL: only the loopback rule applies
  }
  return self.port !== undefined && LOOPBACK.test(url.hostname) && portOf(url) === self.port;
}

/** Why a URL cannot be an endpoint (`http_url`, `kith_itself`), or null when it can. */
export function endpointUrlProblem(
  raw: string,
  self: { publicUrl: string; port?: number },
): 'http_url' | 'kith_itself' | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'http_url';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'http_url';
  if (url.username || url.password) return 'http_url';
  return isKithItself(url, self) ? 'kith_itself' : null;
}

export interface AttemptResult {
  /** The HTTP status, null when no answer came (network error, timeout). */
  statusCode: number | null;
  durationMs: number;
  /** The network error or timeout, or `http <status>` for a refusal. */
  error: string | null;
  /** The first 1,000 characters of the answer's body. */
  excerpt: string | null;
  outcome: 'delivered' | 'retry' | 'failed';
  /** Retry-After of a 429/503, in seconds. */
  retryAfterSeconds: number | null;
}

const EXCERPT_CHARS = 1000;

async function readExcerpt(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // a body cut short is still an excerpt
  } finally {
    reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
  return text || null;
}

/** Seconds of a Retry-After header (seconds or an HTTP date), null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** One POST of a signed body. Never throws: the result says what happened. Redirects are not followed. */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Kith-Webhooks/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const excerpt = await readExcerpt(res);
    const durationMs = elapsed();
    const s = res.status;
    if (s >= 200 && s < 300) {
      return { statusCode: s, durationMs, error: null, excerpt, outcome: 'delivered', retryAfterSeconds: null };
    }
    const retryable = s >= 500 || s === 429 || s === 408;
    return {
      statusCode: s,
      durationMs,
      error: `http ${s}`,
      excerpt,
      outcome: retryable ? 'retry' : 'failed',
      retryAfterSeconds: retryable ? parseRetryAfter(res.headers.get('retry-after')) : null,
    };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const error = timedOut
      ? `timeout after ${timeoutMs} ms`
      : `network: ${e.cause?.code ?? ''} ${e.cause?.message ?? e.message ?? String(err)}`.replace(/\s+/g, ' ').trim();
    return {
      statusCode: null,
      durationMs: elapsed(),
      error: error.slice(0, 500),
      excerpt: null,
      outcome: 'retry',
      retryAfterSeconds: null,
    };
  }
}

/** Attempts per message before it fails: 30 s, 2 min, 8 min, 32 min, ~2 h, then 6 h apart (~15 h in all). */
export const WEBHOOK_ATTEMPTS = 8;
const BASE_DELAY = 30;
const MAX_DELAY = 6 * 3600;
/** A Retry-After up to this is honoured as given; longer ones are cut to it. */
export const MAX_RETRY_AFTER = 3600;

/** Seconds before attempt `attempt + 1`: the receiver's Retry-After when it gave one, else exponential with ±10% jitter. */
export function retryDelaySeconds(attempt: number, retryAfter: number | null): number {
  if (retryAfter !== null) return Math.min(Math.max(retryAfter, 1), MAX_RETRY_AFTER);
  const base = Math.min(BASE_DELAY * 4 ** (attempt - 1), MAX_DELAY);
  return Math.round(base * (0.9 + Math.random() * 0.2));
}
