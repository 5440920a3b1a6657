import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './process.js';

/** A real SMTP server on 127.0.0.1 (any sender, no auth) that keeps every message it receives, parsed. */
export async function startSmtpCapture() {
  const received: ParsedMail[] = [];
  const port = await freePort();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    received,
    /** The messages to an address, in arrival order. */
    to: (email: string) => received.filter((m) => JSON.stringify(m.to ?? '').includes(email)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
