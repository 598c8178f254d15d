// `notifier` as Authelia 4.39 defines it: mails go to an SMTP server or are appended to a file.
import { z } from 'zod';
import { clientTls } from './authelia-schema.ts';
import { ALWAYS, durationWithDefault, SECRET, warnedKey } from './schema-kit.ts';

/** Authelia's schemes and their default ports; only `submissions` starts with TLS. */
export const SMTP_SCHEMES = {
  smtp: { port: 25, implicitTls: false },
  submission: { port: 587, implicitTls: false },
  submissions: { port: 465, implicitTls: true },
} as const;

export interface SmtpAddress {
  scheme: keyof typeof SMTP_SCHEMES;
  host: string;
  port: number;
  implicitTls: boolean;
}

/** `smtp://host:port`, `submission://host`, `submissions://host:port` or a bare `host:port`. */
export function parseSmtpAddress(value: string): SmtpAddress | undefined {
  const match = /^(?:([a-z]+):\/\/)?(\[[^\]]+\]|[^:/[\]]+)(?::(\d{1,5}))?\/?$/.exec(value);
  if (!match) return undefined;
  const scheme = (match[1] ?? 'smtp') as keyof typeof SMTP_SCHEMES;
  if (!Object.hasOwn(SMTP_SCHEMES, scheme)) return undefined;
  const port = match[3] === undefined ? SMTP_SCHEMES[scheme].port : Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = match[2]!.replace(/^\[|\]$/g, '');
  return { scheme, host, port, implicitTls: SMTP_SCHEMES[scheme].implicitTls };
}

/** A bare address or RFC 5322's `Name <address>`, as Authelia's schema allows. */
const MAILBOX =
  /^(?:[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+|[^<]+\s<[A-Za-z0-9._~!#$%&'*/=?^{|}+-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+>)$/;

export function isMailbox(value: string): boolean {
  return MAILBOX.test(value.trim());
}

const mailbox = z.string().refine(isMailbox, {
  message: 'is not an e-mail address',
  params: { allowed: 'admin@example.com or Sesame <admin@example.com>' },
});

const smtp = z.strictObject({
  address: z
    .string()
    .refine((value) => parseSmtpAddress(value) !== undefined, {
      message: 'is not an SMTP address',
      params: {
        allowed:
          'smtp://host:port (25), submission://host:port (587, StartTLS), submissions://host:port (465, TLS)',
      },
    })
    .optional()
    .describe(
      '`smtp://host:port` (25), `submission://host:port` (587, StartTLS) or `submissions://host:port` (465, implicit TLS).',
    ),
  timeout: durationWithDefault('5s').describe('How long connecting and each SMTP answer may take.'),
  username: z.string().optional().describe('The user for SMTP authentication (PLAIN or LOGIN).'),
  password: z.string().meta(SECRET).optional().describe('The password for SMTP authentication.'),
  identifier: z.string().min(1).default('localhost').describe('The name sent with HELO/EHLO.'),
  sender: mailbox
    .optional()
    .describe(
      'The From address, `admin@example.com` or `Sesame <admin@example.com>`; defaults to username when it is an address.',
    ),
  subject: z
    .string()
    .optional()
    .describe(
      'The subject; `{title}` is replaced by the mail’s title. Defaults to `[<branding.name>] {title}`.',
    ),
  startup_check_address: warnedKey(
    'the start-up check connects, negotiates TLS and authenticates but sends no RCPT TO',
  ),
  disable_require_tls: z
    .boolean()
    .default(false)
    .describe(
      'Deliver in the clear when the server offers no StartTLS (strongly discouraged). Never with username: credentials always need TLS.',
    ),
  disable_html_emails: z.boolean().default(false).describe('Send plain text only, no HTML part.'),
  disable_starttls: z
    .boolean()
    .default(false)
    .describe('Do not upgrade an `smtp://` connection with StartTLS.'),
  tls: clientTls
    .extend({
      certificate_authority: z
        .string()
        .optional()
        .describe('Sesame only: a PEM CA bundle to verify the server with.'),
    })
    .prefault({})
    .describe('How the server’s certificate is checked.'),
  host: z.string().optional().describe('Legacy form of address.'),
  port: z.number().int().min(1).max(65535).optional().describe('Legacy form of address.'),
});

export type SmtpSettings = z.output<typeof smtp>;

/** The SMTP address, from `address` or from the legacy `host` and `port`. */
export function smtpAddressOf(settings: SmtpSettings): SmtpAddress | undefined {
  if (settings.address) return parseSmtpAddress(settings.address);
  if (!settings.host) return undefined;
  const scheme = settings.port === 465 ? 'submissions' : 'smtp';
  return parseSmtpAddress(`${scheme}://${settings.host}:${settings.port ?? 25}`);
}

/**
 * Whether the connection must be encrypted. As in Authelia, disable_require_tls only lets
 * unauthenticated mail through in the clear: credentials always need TLS.
 */
export function requiresTls(settings: Pick<SmtpSettings, 'disable_require_tls' | 'username'>): boolean {
  return !settings.disable_require_tls || settings.username !== undefined;
}

type Issue = { path: string[]; message: string; allowed: string };

/** Rules across keys, as Authelia's validator has them. */
function smtpProblems(value: SmtpSettings): Issue[] {
  const problems: Issue[] = [];
  const address = smtpAddressOf(value);
  if (!value.address && !value.host)
    problems.push({ path: ['address'], message: 'is required', allowed: 'smtp://host:port' });
  if (!value.sender && !(value.username && isMailbox(value.username)))
    problems.push({
      path: ['sender'],
      message: 'is required (username is not an e-mail address)',
      allowed: 'Sesame <admin@example.com>',
    });
  if (value.username && !value.password)
    problems.push({ path: ['password'], message: 'is required with username', allowed: 'the SMTP password' });
  if (address && !address.implicitTls && value.disable_starttls && requiresTls(value))
    problems.push({
      path: ['disable_starttls'],
      message: `TLS is required${value.username ? ' (credentials are never sent unencrypted)' : ''} but StartTLS is disabled on ${address.scheme}://`,
      allowed: 'false, a submissions:// address, or disable_require_tls: true without username',
    });
  return problems;
}

export const notifierSchema = z
  .strictObject({
    disable_startup_check: z.boolean().default(false).describe('Do not check the notifier at start.'),
    template_path: z
      .string()
      .optional()
      .describe('A folder whose `<name>.txt` and `<name>.html` files replace Sesame’s mail templates.'),
    filesystem: z
      .strictObject({ filename: z.string().min(1).describe('The file every mail is appended to.') })
      .optional()
      .describe('Append mails to a file instead of sending them (testing).'),
    smtp: smtp.optional().describe('Send mails through an SMTP server.'),
    new_device_sign_in: z
      .boolean()
      .default(false)
      .describe(
        'Sesame only: mail a user when their account signs in from a browser it was never used from (the first browser is recorded silently).',
      ),
  })
  .superRefine((value, ctx) => {
    const chosen = [value.smtp && 'smtp', value.filesystem && 'filesystem'].filter(Boolean);
    if (chosen.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: chosen.length === 0 ? 'no notifier is configured' : 'only one notifier may be configured',
        params: { allowed: 'exactly one of notifier.smtp or notifier.filesystem' },
      });
    for (const problem of value.smtp ? smtpProblems(value.smtp) : [])
      ctx.addIssue({
        code: 'custom',
        path: ['smtp', ...problem.path],
        message: problem.message,
        params: { allowed: problem.allowed },
      });
  }, ALWAYS)
  .optional()
  .describe('How mails reach users (Authelia’s notifier): exactly one of smtp or filesystem.');

export type NotifierSettings = z.output<typeof notifierSchema>;
