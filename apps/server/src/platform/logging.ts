import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';

/** JSON logs without secrets: no headers, and tokens in query strings are masked. */
export function createLogger(level: string): FastifyBaseLogger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url.replace(/(token|key|password)=[^&]*/gi, '$1=[redacted]'),
        ip: req.ip,
      }),
    },
  }) as unknown as FastifyBaseLogger;
}
