// Mail templates: a text and an HTML version each, with `{{name}}` placeholders. A file
// `<name>.txt` or `<name>.html` in notifier.template_path replaces the built-in version.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MailTemplate {
  text: string;
  html: string;
}

/** An HTML mail: the brand's header, then the body's lines. */
function mailPage(body: string[]): string {
  const head = ['<!doctype html>', '<html><body style="font-family: sans-serif">', '{{brand_header}}'];
  return [...head, ...body, '</body></html>', ''].join('\n');
}

const BUILT_IN = {
  test: {
    text: [
      'Hello,',
      '',
      'This is a test mail from {{branding}}: its notifier works.',
      '',
      '{{branding}}: {{url}}',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello,</p>',
      '<p>This is a test mail from {{branding}}: its notifier works.</p>',
      '<p><a href="{{url}}">{{branding}}</a></p>',
    ]),
  },
  'account-change': {
    text: [
      'Hello {{name}},',
      '',
      '{{what}} on your {{branding}} account ({{time}}, from {{ip}}).',
      '',
      'If this was you, there is nothing to do. If it was not, sign in at {{url}} and change your',
      'password, or tell your administrator.',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello {{name}},</p>',
      '<p>{{what}} on your {{branding}} account ({{time}}, from {{ip}}).</p>',
      '<p>If this was you, there is nothing to do. If it was not, sign in at',
      '<a href="{{url}}">{{url}}</a> and change your password, or tell your administrator.</p>',
    ]),
  },
  'verify-email': {
    text: [
      'Hello {{name}},',
      '',
      'Please confirm that this is your e-mail address for your {{branding}} account: open',
      '',
      '{{link}}',
      '',
      'and press "Verify". The link works once, for {{hours}} hours. It was asked for from {{ip}}.',
      'If you did not give this address, ignore this mail: nothing changes.',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello {{name}},</p>',
      '<p>Please confirm that this is your e-mail address for your {{branding}} account:</p>',
      '<p><a href="{{link}}">Verify my address</a></p>',
      '<p>The link works once, for {{hours}} hours. It was asked for from {{ip}}.',
      'If you did not give this address, ignore this mail: nothing changes.</p>',
    ]),
  },
  'one-time-code': {
    text: [
      'Hello {{name}},',
      '',
      'Your one-time code for {{branding}} is:',
      '',
      '    {{code}}',
      '',
      'It works once, for {{lifespan}}, in the browser that asked for it: it lets that session',
      'change your second factors and your e-mail address.',
      '',
      'It was asked for on {{time}} from {{ip}}. If this was not you, do not give the code to',
      'anyone; sign in at {{url}} and change your password, or tell your administrator.',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello {{name}},</p>',
      '<p>Your one-time code for {{branding}} is:</p>',
      '<p style="font-size: 1.5em; font-family: monospace; letter-spacing: .15em"><strong>{{code}}</strong></p>',
      '<p>It works once, for {{lifespan}}, in the browser that asked for it: it lets that session',
      'change your second factors and your e-mail address.</p>',
      '<p>It was asked for on {{time}} from {{ip}}. If this was not you, do not give the code to',
      'anyone; sign in at <a href="{{url}}">{{url}}</a> and change your password, or tell your',
      'administrator.</p>',
    ]),
  },
  'reset-password': {
    text: [
      'Hello {{name}},',
      '',
      'Someone (we hope you) asked to reset the password of your {{branding}} account, from {{ip}}.',
      'To choose a new password, open this link before {{expires}}; it works once:',
      '',
      '{{link}}',
      '',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
      '',
      '{{branding}}: {{url}}',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello {{name}},</p>',
      '<p>Someone (we hope you) asked to reset the password of your {{branding}} account, from {{ip}}.',
      'To choose a new password, open this link before {{expires}}; it works once:</p>',
      '<p><a href="{{link}}">Choose a new password</a></p>',
      '<p>If you did not ask for this, ignore this mail: your password stays as it is.</p>',
      '<p><a href="{{url}}">{{branding}}</a></p>',
    ]),
  },
  invitation: {
    text: [
      'Hello,',
      '',
      '{{inviter}} invited you to {{branding}}. Follow this link to choose your password and create',
      'your account:',
      '',
      '{{link}}',
      '',
      'The link works once and expires on {{expires}}. If you did not expect this invitation, ignore',
      'this mail.',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello,</p>',
      '<p>{{inviter}} invited you to {{branding}}. Follow this link to choose your password and create your account:</p>',
      '<p><a href="{{link}}">Accept the invitation</a></p>',
      '<p>The link works once and expires on {{expires}}. If you did not expect this invitation, ignore this mail.</p>',
    ]),
  },
  'sign-up': {
    text: [
      'Hello,',
      '',
      'Someone (we hope you) asked to create a {{branding}} account for this address. Follow this link',
      'to choose your username and password:',
      '',
      '{{link}}',
      '',
      'The link works once and expires on {{expires}}. If you did not ask for an account, ignore this',
      'mail: nothing is created without the link.',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello,</p>',
      '<p>Someone (we hope you) asked to create a {{branding}} account for this address. Follow this link to choose your username and password:</p>',
      '<p><a href="{{link}}">Create my account</a></p>',
      '<p>The link works once and expires on {{expires}}. If you did not ask for an account, ignore this mail: nothing is created without the link.</p>',
    ]),
  },
  'sign-up-existing': {
    text: [
      'Hello,',
      '',
      'Someone (we hope you) asked to create a {{branding}} account for this address, but you already',
      'have one. Sign in at:',
      '',
      '{{signin}}',
      '',
      'If you forgot your password, reset it at:',
      '',
      '{{reset}}',
      '',
      'If you did not ask, ignore this mail: nothing was changed.',
      '',
    ].join('\n'),
    html: mailPage([
      '<p>Hello,</p>',
      '<p>Someone (we hope you) asked to create a {{branding}} account for this address, but you already have one.</p>',
      '<p><a href="{{signin}}">Sign in</a></p>',
      '<p>If you forgot your password, <a href="{{reset}}">reset it</a>.</p>',
      '<p>If you did not ask, ignore this mail: nothing was changed.</p>',
    ]),
  },
} satisfies Record<string, MailTemplate>;

export type TemplateName = keyof typeof BUILT_IN;
export const TEMPLATE_NAMES = Object.keys(BUILT_IN) as TemplateName[];

/** The built-in templates, each version replaced by its file in `folder` when there is one. */
export function loadTemplates(folder: string | undefined): Record<TemplateName, MailTemplate> {
  const read = (name: string, fallback: string) => {
    const path = folder ? join(folder, name) : undefined;
    return path && existsSync(path) ? readFileSync(path, 'utf8') : fallback;
  };
  const entries = TEMPLATE_NAMES.map((name) => [
    name,
    { text: read(`${name}.txt`, BUILT_IN[name].text), html: read(`${name}.html`, BUILT_IN[name].html) },
  ]);
  return Object.fromEntries(entries) as Record<TemplateName, MailTemplate>;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** Fills `{{name}}` placeholders; an unknown one stays as written, so a typo shows in the mail. */
export function fill(template: string, data: Record<string, string>, html: boolean): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
    const value = Object.hasOwn(data, name) ? data[name]! : undefined;
    if (value === undefined) return whole;
    return html ? escapeHtml(value) : value;
  });
}
