import crypto from 'node:crypto';
import argon2 from 'argon2';

// OWASP's argon2id minimum (19 MiB, t=2): strong, and fast enough for logins on 2 cores.
const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id hash of a password or a secret key. */
export function hashSecret(secret: string): Promise<string> {
  return argon2.hash(secret, ARGON2);
}

export async function verifySecret(hash: string, secret: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}

/** A random token, URL-safe, with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** SHA-256 for high-entropy tokens (sessions, invitations): a lookup key, not a password hash. */
export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function hmac(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/**
 * API key: `kith_<keyId-without-prefix>_<secret>`. The id finds the row; the secret is checked
 * against its argon2 hash. Only the first 12 characters are ever shown again.
 */
export function formatApiKey(keyId: string, secret: string): string {
  return `kith_${keyId.replace(/^key_/, '')}_${secret}`;
}

export function parseApiKey(key: string): { keyId: string; secret: string } | null {
  const m = /^kith_([0-9a-z]{26})_([A-Za-z0-9_-]{20,})$/.exec(key);
  return m ? { keyId: `key_${m[1]}`, secret: m[2] as string } : null;
}
