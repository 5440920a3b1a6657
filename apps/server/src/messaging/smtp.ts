/** Handing a message to a workspace's SMTP server with nodemailer, and naming what went wrong. */
import nodemailer from 'nodemailer';
import type { Message } from '../platform/messages.js';
import { mm } from './messages.js';

export interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
}

export interface OutgoingEmail {
  from: { name: string; address: string };
  replyTo: string | null;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The Message-ID, stable per message so a resend after a crash can be recognised. */
  messageId: string;
  headers: Record<string, string>;
}

/** Sends one email on a new connection (closed afterwards); resolves with the server's message id. */
export async function sendMail(
  server: SmtpServer,
  mail: OutgoingEmail,
): Promise<{ messageId: string; response: string }> {
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.secure,
    ...(server.user ? { auth: { user: server.user, pass: server.password ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({
      from: { name: mail.from.name, address: mail.from.address },
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      to: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: mail.messageId,
      headers: mail.headers,
    });
    return { messageId: String(info.messageId ?? mail.messageId), response: String(info.response ?? '') };
  } finally {
    transport.close();
  }
}

export type SmtpFailureKind = 'unreachable' | 'timeout' | 'tls' | 'auth' | 'rejected';

export interface SmtpFailure {
  kind: SmtpFailureKind;
  /** A 4xx answer: worth trying again later. */
  temporary: boolean;
  responseCode: number | null;
  /** The server's answer (or the socket error), one line. */
  reason: string;
}

/** What a nodemailer error means for a person (and whether to retry). */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const raw = typeof e.response === 'string' && e.response ? e.response : String(e.message ?? err);
  const reason = raw.replace(/\s+/g, ' ').trim().slice(0, 500);
  const temporary = responseCode !== null && responseCode >= 400 && responseCode < 500;
  let kind: SmtpFailureKind;
  if (code === 'EAUTH' || code === 'ENOAUTH' || responseCode === 535 || responseCode === 534) kind = 'auth';
  else if (code === 'ETIMEDOUT' || /timeout/i.test(reason)) kind = 'timeout';
  else if (code === 'ETLS' || /\b(tls|ssl|certificate|wrong version number)\b/i.test(reason)) kind = 'tls';
  else if (responseCode !== null) kind = 'rejected';
  else if (code === 'ECONNECTION' || code === 'EDNS' || code === 'ESOCKET' || code === 'ECONNREFUSED')
    kind = 'unreachable';
  else kind = 'rejected';
  return { kind, temporary, responseCode, reason };
}

/**
 * A permanent answer about the recipient's mailbox (RFC 5321 550/551/553, or an enhanced status
 * 5.1.x — bad destination address): a hard bounce. A policy or content rejection is not one.
 */
export function isHardBounce(f: SmtpFailure): boolean {
  if (f.temporary || f.responseCode === null || f.kind !== 'rejected') return false;
  if (/\b5\.1\.\d\b/.test(f.reason)) return true;
  return [550, 551, 553].includes(f.responseCode) && !/\b5\.7\.\d\b/.test(f.reason);
}

/** The failure as a catalog message, in the caller's language when rendered. */
export function failureMessage(f: SmtpFailure, server: { host: string; port: number }): Message {
  switch (f.kind) {
    case 'unreachable':
      return mm('smtp_unreachable', { host: server.host, port: server.port, reason: f.reason });
    case 'timeout':
      return mm('smtp_timeout', { host: server.host, port: server.port });
    case 'tls':
      return mm('smtp_tls', { host: server.host, port: server.port, reason: f.reason });
    case 'auth':
      return mm('smtp_auth', { reason: f.reason });
    case 'rejected':
      return mm('smtp_rejected', { reason: f.reason });
  }
}
