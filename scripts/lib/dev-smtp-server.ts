import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { readMimeMessage } from './mime-message';

/**
 * A real SMTP server on loopback for `npm start` and the tests (the `smtp-server` package): it
 * accepts every message (unless told to refuse a recipient), keeps it in memory, and reads it well
 * enough to show who it is for, its subject and its links. No TLS and no login: it never leaves
 * 127.0.0.1.
 */

/** One message as the server received it. */
export interface ReceivedEmail {
  /** The SMTP envelope: MAIL FROM and every accepted RCPT TO. */
  envelope: { from: string; to: string[] };
  /** The message as sent (CRLF line ends). */
  raw: string;
  /** Header values by lowercase name, encoded words decoded. */
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
  text: string;
  html: string;
}

/** An SMTP reply for a recipient the server refuses: `550` makes a permanent failure, `450` a temporary one. */
export interface SmtpRefusal {
  code: number;
  message: string;
}

export interface DevSmtpServerOptions {
  /** The loopback port; 0 or absent for a free one. */
  port?: number;
  /** Told of every message as it arrives (npm start prints a line). */
  onMessage?: (email: ReceivedEmail) => void;
  /** Refuses a recipient at RCPT TO with this reply; undefined accepts it. */
  refuseRecipient?: (address: string) => SmtpRefusal | undefined;
}

export interface DevSmtpServer {
  port: number;
  /** `smtp://127.0.0.1:<port>`: AIRLOCK_SMTP_URL for the worker. */
  url: string;
  /** Every message received so far, oldest first. */
  messages(): ReceivedEmail[];
  stop(): Promise<void>;
}

/** Largest message accepted: far above a review email, low enough that nothing fills the memory. */
const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

/** Starts the server on 127.0.0.1; resolves once it listens. */
export async function startDevSmtpServer(options: DevSmtpServerOptions = {}): Promise<DevSmtpServer> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    // Loopback only, for development: no STARTTLS (no certificate to offer) and no login to check.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    banner: 'Airlock dev SMTP server',
    // Stopping waits this long for open connections (nodemailer closes each after its message).
    closeTimeout: 2000,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const refusal = options.refuseRecipient?.(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        const email = receivedEmail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          session.envelope.rcptTo.map((rcpt) => rcpt.address),
        );
        received.push(email);
        options.onMessage?.(email);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  // After start, a client's broken connection must not end the process (npm start, a test run).
  server.on('error', () => undefined);
  const address = server.server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages: () => [...received],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function receivedEmail(raw: string, from: string, to: string[]): ReceivedEmail {
  const { headers, text, html } = readMimeMessage(raw);
  return {
    envelope: { from, to },
    raw,
    headers,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? '',
    ...(headers['in-reply-to'] ? { inReplyTo: headers['in-reply-to'] } : {}),
    ...(headers.references ? { references: headers.references } : {}),
    text: text ?? '',
    html: html ?? '',
  };
}

/** The console links in a message's text: `npm start` prints them, tests compare them. */
export function consoleLinksOf(email: ReceivedEmail): string[] {
  return [...email.text.matchAll(/https?:\/\/\S+\/console\/actions\/\S+/g)].map((match) => match[0]);
}
