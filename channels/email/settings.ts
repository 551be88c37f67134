import { createTransport, type Transporter } from 'nodemailer';

/** How the worker sends email: from AIRLOCK_SMTP_URL and AIRLOCK_EMAIL_FROM. */
export interface EmailSettings {
  /** `smtp://host:port` or `smtps://[user:password@]host:port` (config/smtp-url.ts). Holds credentials: never logged. */
  smtpUrl: string;
  /** The sender, one plain address (channels/email/address.ts). */
  from: string;
}

/** Connection, greeting and socket timeouts: the attempt fails (and Temporal retries it) well before the activity's 30 s. */
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;

/**
 * A nodemailer SMTP transport for the settings: one connection per message (no pool to go stale
 * between reviews), no retries of its own (Temporal retries the activity), no logging (the URL
 * may hold a password), and no attachments read from files or URLs (Airlock sends none).
 */
export function smtpTransport(settings: EmailSettings): Transporter {
  return createTransport({
    url: settings.smtpUrl,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}
