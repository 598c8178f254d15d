// The one HTML skeleton every page of Sesame's is made of: the sign-in pages' card, the portal and
// the admin UI all fill it in. Styles and scripts come from files (the CSP allows no inline ones).
import type { SesameConfig } from '../../config/load.ts';
import { PASSKEY_SCRIPTS } from '../assets.ts';
import { html, trusted, type SafeHtml } from '../html.ts';

export interface DocumentInput {
  config: SesameConfig;
  /** The page title, before the product name. */
  title: string;
  /** What follows the brand name in the title ("admin"), if anything. */
  brandSuffix?: string;
  /** Stylesheet paths, in order (from stylesheet(), or Pico's). */
  stylesheets: readonly string[];
  /** Script tags for the head; `passkeys` adds the WebAuthn scripts. */
  head?: SafeHtml;
  passkeys?: boolean;
  body: SafeHtml;
}

export function brandName(config: SesameConfig, suffix?: string): string {
  return suffix ? `${config.branding.name} ${suffix}` : config.branding.name;
}

/** The brand's logo, if one is configured. */
export function brandLogo(config: SesameConfig): SafeHtml | '' {
  return config.branding.logo_url ? html`<img src="${config.branding.logo_url}" alt="" />` : '';
}

export function htmlDocument(input: DocumentInput): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${input.title} – ${brandName(input.config, input.brandSuffix)}</title>
        ${input.stylesheets.map((href) => html`<link rel="stylesheet" href="${href}" />`)} ${input.head ?? ''}
        ${input.passkeys ? trusted(PASSKEY_SCRIPTS) : ''}
      </head>
      <body>
        ${input.body}
      </body>
    </html>`.value;
}
