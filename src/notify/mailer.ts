// The notifier: mails built from templates, sent over SMTP (nodemailer) or appended to a file.
import { accessSync, appendFileSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SesameConfig } from '../config/load.ts';
import {
  requiresTls,
  smtpAddressOf,
  type NotifierSettings,
  type SmtpSettings,
} from '../config/notifier-schema.ts';
import { ConfigError } from '../config/report.ts';
import { tlsOptionsOf } from '../store/tls.ts';
import { escapeHtml, fill, loadTemplates, type MailTemplate, type TemplateName } from './templates.ts';

export interface MailRequest {
  to: string;
  /** Goes into the subject (`{title}`); also available to the template as `{{title}}`. */
  title: string;
  template: TemplateName;
  /** Template values. Never put a secret here: mails are not a safe channel. */
  data?: Record<string, string>;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Where mails go: an SMTP server or a file. */
interface Transport {
  deliver(mail: Mail): Promise<void>;
  /** The start-up check; throws with the reason. */
  check(): Promise<void>;
  close(): void;
}

type Defined<T> = Exclude<T, undefined>;

function smtpTransport(settings: SmtpSettings): Transport {
  const address = smtpAddressOf(settings)!;
  const transporter: Transporter = nodemailer.createTransport({
    host: address.host,
    port: address.port,
    secure: address.implicitTls,
    // StartTLS must succeed unless plain text is allowed; disable_starttls never tries it.
    requireTLS: !address.implicitTls && requiresTls(settings) && !settings.disable_starttls,
    ignoreTLS: settings.disable_starttls,
    name: settings.identifier,
    connectionTimeout: settings.timeout * 1000,
    greetingTimeout: settings.timeout * 1000,
    socketTimeout: settings.timeout * 1000,
    auth: settings.username ? { user: settings.username, pass: settings.password } : undefined,
    // (nodemailer names the host for SNI itself, unless it is an IP address.)
    tls: withoutUndefined(tlsOptionsOf(settings.tls)),
    logger: false,
  });
  const from = settings.sender ?? settings.username!;
  return {
    deliver: async (mail) => {
      await transporter.sendMail({ from, ...mail });
    },
    check: async () => {
      await transporter.verify();
    },
    close: () => transporter.close(),
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

/** Authelia's filesystem notifier: each mail, headers and text, appended to one file. */
function fileTransport(filename: string): Transport {
  return {
    deliver: (mail) => {
      const entry = [
        `Date: ${new Date().toUTCString()}`,
        `To: ${mail.to}`,
        `Subject: ${mail.subject}`,
        '',
        mail.text.trimEnd(),
        '',
        '',
      ].join('\n');
      appendFileSync(filename, entry, { mode: 0o600 });
      return Promise.resolve();
    },
    check: () => {
      accessSync(dirname(filename), constants.W_OK);
      return Promise.resolve();
    },
    close: () => {},
  };
}

export class Mailer {
  readonly #settings: Defined<NotifierSettings>;
  readonly #transport: Transport;
  readonly #templates: Record<TemplateName, MailTemplate>;
  readonly #branding: string;
  readonly #url: string;
  /** What `{{brand_header}}` becomes in an HTML mail: the logo (when configured) and the name. */
  readonly #header: string;

  constructor(settings: Defined<NotifierSettings>, config: Pick<SesameConfig, 'branding' | 'externalUrl'>) {
    const logo = config.branding.logo_url;
    this.#settings = settings;
    this.#transport = settings.smtp
      ? smtpTransport(settings.smtp)
      : fileTransport(settings.filesystem!.filename);
    this.#templates = loadTemplates(settings.template_path);
    this.#branding = config.branding.name;
    this.#url = config.externalUrl;
    const name = escapeHtml(config.branding.name);
    this.#header =
      '<p style="font-size: 1.2em; font-weight: 600">' +
      (logo ? `<img src="${escapeHtml(logo)}" alt="" height="32" style="vertical-align: middle"> ` : '') +
      `${name}</p>`;
  }

  /** The mail `request` makes: subject, text and (unless disable_html_emails) HTML. */
  compose(request: MailRequest): Mail {
    const data = { ...request.data, title: request.title, branding: this.#branding, url: this.#url };
    const template = this.#templates[request.template];
    // (One line: a title never adds a header, in a mail or in the file.)
    const subject = (this.#settings.smtp?.subject ?? `[${this.#branding}] {title}`)
      .replaceAll('{title}', request.title)
      .replace(/[\r\n]+/g, ' ');
    const mail: Mail = { to: request.to, subject, text: fill(template.text, data, false) };
    // (The header is markup of Sesame's making, put in after the values are filled and escaped.)
    if (!this.#settings.smtp?.disable_html_emails)
      mail.html = fill(template.html, data, true).replaceAll('{{brand_header}}', this.#header);
    return mail;
  }

  async send(request: MailRequest): Promise<void> {
    await this.#transport.deliver(this.compose(request));
  }

  /** Throws a ConfigError naming the key and the reason when the notifier cannot work. */
  async check(where: string): Promise<void> {
    const smtp = this.#settings.smtp;
    const path = smtp ? 'notifier.smtp.address' : 'notifier.filesystem.filename';
    try {
      await this.#transport.check();
    } catch (error) {
      const address = smtp ? smtpAddressOf(smtp) : undefined;
      const subject = address
        ? `the SMTP server at ${address.host}:${address.port}`
        : 'the folder of the file';
      throw new ConfigError([
        {
          where,
          path,
          message: `${subject} cannot be used: ${(error as Error).message}`,
          allowed: smtp
            ? 'a reachable SMTP server, or notifier.disable_startup_check: true'
            : 'a file in a writable folder',
        },
      ]);
    }
  }

  close(): void {
    this.#transport.close();
  }
}

/** notifier.template_path must be a folder (checked at start, whatever disable_startup_check says). */
export function templateFolderProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'is not a folder';
  } catch {
    return 'does not exist';
  }
}
