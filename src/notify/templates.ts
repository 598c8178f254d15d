// Mail templates: a text and an HTML version each, with `{{name}}` placeholders. A file
// `<name>.txt` or `<name>.html` in notifier.template_path replaces the built-in version.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MailTemplate {
  text: string;
  html: string;
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
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif">',
      '<p>Hello,</p>',
      '<p>This is a test mail from {{branding}}: its notifier works.</p>',
      '<p><a href="{{url}}">{{branding}}</a></p>',
      '</body></html>',
      '',
    ].join('\n'),
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
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif">',
      '<p>Hello {{name}},</p>',
      '<p>{{what}} on your {{branding}} account ({{time}}, from {{ip}}).</p>',
      '<p>If this was you, there is nothing to do. If it was not, sign in at',
      '<a href="{{url}}">{{url}}</a> and change your password, or tell your administrator.</p>',
      '</body></html>',
      '',
    ].join('\n'),
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
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif">',
      '<p>Hello,</p>',
      '<p>{{inviter}} invited you to {{branding}}. Follow this link to choose your password and create your account:</p>',
      '<p><a href="{{link}}">Accept the invitation</a></p>',
      '<p>The link works once and expires on {{expires}}. If you did not expect this invitation, ignore this mail.</p>',
      '</body></html>',
      '',
    ].join('\n'),
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
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif">',
      '<p>Hello,</p>',
      '<p>Someone (we hope you) asked to create a {{branding}} account for this address. Follow this link to choose your username and password:</p>',
      '<p><a href="{{link}}">Create my account</a></p>',
      '<p>The link works once and expires on {{expires}}. If you did not ask for an account, ignore this mail: nothing is created without the link.</p>',
      '</body></html>',
      '',
    ].join('\n'),
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
      'If you forgot your password, use "Forgot password?" there or ask your administrator. If you did',
      'not ask, ignore this mail: nothing was changed.',
      '',
    ].join('\n'),
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif">',
      '<p>Hello,</p>',
      '<p>Someone (we hope you) asked to create a {{branding}} account for this address, but you already have one.</p>',
      '<p><a href="{{signin}}">Sign in</a></p>',
      '<p>If you forgot your password, use “Forgot password?” there or ask your administrator. If you did not ask, ignore this mail: nothing was changed.</p>',
      '</body></html>',
      '',
    ].join('\n'),
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

function escapeHtml(value: string): string {
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
