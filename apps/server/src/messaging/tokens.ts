/**
 * The signed tokens of the public links in an email: unsubscribe (`/u/…`), tracked click
 * (`/t/c/…`), open pixel (`/t/o/….gif`), double opt-in confirmation (`/c/…`) and the
 * customer's preference center (`/p/…`). A token is base64url of `<kind>:<fields…>:<mac>`,
 * the MAC an HMAC-SHA256 (truncated to 128 bits) under a key derived from the server secret,
 * so a token cannot be made or altered without it: a click token can only redirect to the
 * link at that position of that message.
 */
import crypto from 'node:crypto';
import { deriveKey } from '../platform/secret.js';

export type LinkToken =
  | { kind: 'u'; workspaceId: string; customerId: string; messageId: string }
  | { kind: 'c'; workspaceId: string; messageId: string; link: number }
  | { kind: 'o'; workspaceId: string; messageId: string }
  | { kind: 'd'; workspaceId: string; customerId: string; messageId: string }
  | { kind: 'p'; workspaceId: string; customerId: string };

const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = deriveKey(secret, 'messaging-links');
    keys.set(secret, key);
  }
  return key;
}

const mac = (secret: string, payload: string) =>
  crypto.createHmac('sha256', keyOf(secret)).update(payload).digest().subarray(0, 16).toString('base64url');

function fieldsOf(t: LinkToken): string[] {
  switch (t.kind) {
    case 'u':
      return [t.kind, t.workspaceId, t.customerId, t.messageId];
    case 'c':
      return [t.kind, t.workspaceId, t.messageId, String(t.link)];
    case 'o':
      return [t.kind, t.workspaceId, t.messageId];
    case 'd':
      return [t.kind, t.workspaceId, t.customerId, t.messageId];
    case 'p':
      return [t.kind, t.workspaceId, t.customerId];
  }
}

/** The token of a link. */
export function signToken(secret: string, t: LinkToken): string {
  const payload = fieldsOf(t).join(':');
  return Buffer.from(`${payload}:${mac(secret, payload)}`).toString('base64url');
}

const ID = /^[a-z]+_[0-9a-z]+$/;

/** The link a token names, when its MAC is right and it is of the expected kind; null otherwise. */
export function verifyToken<K extends LinkToken['kind']>(
  secret: string,
  kind: K,
  token: string,
): Extract<LinkToken, { kind: K }> | null {
  if (token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const parts = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const sent = parts.pop();
  if (!sent || parts[0] !== kind) return null;
  const expected = Buffer.from(mac(secret, parts.join(':')));
  // Compared as bytes: an altered token can decode to characters of more than one byte.
  const given = Buffer.from(sent);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  const [, a, b, c] = parts;
  if ((kind === 'u' || kind === 'd') && parts.length === 4 && [a, b, c].every((x) => ID.test(x ?? ''))) {
    return { kind, workspaceId: a, customerId: b, messageId: c } as Extract<LinkToken, { kind: K }>;
  }
  if (kind === 'p' && parts.length === 3 && ID.test(a ?? '') && ID.test(b ?? '')) {
    return { kind, workspaceId: a, customerId: b } as Extract<LinkToken, { kind: K }>;
  }
  if (kind === 'c' && parts.length === 4 && ID.test(a ?? '') && ID.test(b ?? '') && /^\d{1,4}$/.test(c ?? '')) {
    return { kind, workspaceId: a, messageId: b, link: Number(c) } as Extract<LinkToken, { kind: K }>;
  }
  if (kind === 'o' && parts.length === 3 && ID.test(a ?? '') && ID.test(b ?? '')) {
    return { kind, workspaceId: a, messageId: b } as Extract<LinkToken, { kind: K }>;
  }
  return null;
}
