// The user portal's layout: Pico CSS like the admin UI, with the portal's own navigation.
import type { SesameConfig } from '../config/load.ts';
import { PASSKEY_SCRIPTS } from './assets.ts';
import { html, trusted, type SafeHtml } from './html.ts';

export const PORTAL_SECTIONS = [
  ['', 'My applications'],
  ['profile', 'Profile'],
  ['password', 'Password'],
  ['sessions', 'Sessions'],
  ['security', 'Security'],
] as const;
export type PortalSection = (typeof PORTAL_SECTIONS)[number][0];

export interface PortalViewer {
  username: string;
  displayName?: string;
  isAdmin: boolean;
}

const STYLE = `
.skip{position:absolute;left:-999px;top:0;z-index:10;padding:.5rem 1rem;background:var(--pico-primary-background);color:var(--pico-primary-inverse)}
.skip:focus{left:.5rem;top:.5rem}
header.bar{border-bottom:1px solid var(--pico-muted-border-color);margin-bottom:1.5rem}
header.bar>nav{flex-wrap:wrap}
header.bar .brand{font-weight:700;display:inline-flex;align-items:center;gap:.5rem}
header.bar .brand img{height:1.75rem}
nav.sections{overflow-x:auto}
nav.sections ul{margin:0;flex-wrap:nowrap}
nav.sections li{white-space:nowrap;padding-block:.5rem}
nav.sections a{border-radius:0;border-bottom:3px solid transparent;padding-inline:.25rem;margin-inline:.5rem}
nav.sections a[aria-current=page]{border-bottom-color:var(--pico-primary);color:var(--pico-primary);font-weight:600}
main.container{max-width:60rem}
.muted,.meta{color:var(--pico-muted-color);font-size:.9em}
.meta{display:block;margin-top:.25rem}
.notice{padding:.75rem 1rem;border-radius:var(--pico-border-radius);background:#e8f5ee;color:#14532d;border:1px solid #a7d7bb;margin-bottom:1rem}
.error{padding:.75rem 1rem;border-radius:var(--pico-border-radius);background:#fdecea;color:#7f1d1d;border:1px solid #f5b5ae;margin-bottom:1rem}
.status{color:#b42318;font-size:.9em;margin:.25rem 0 0}
.status:empty{display:none}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
section.card{padding:1rem 1.25rem;border:1px solid var(--pico-muted-border-color);border-radius:var(--pico-border-radius);margin-bottom:1.5rem}
section.card>h2{font-size:1.15rem;margin-bottom:.75rem}
ul.keys{list-style:none;padding:0}ul.keys li{list-style:none;border:1px solid var(--pico-muted-border-color);border-radius:var(--pico-border-radius);padding:.75rem;margin:.5rem 0}
form.inline{display:flex;gap:.5rem;align-items:center;margin:0}form.inline input{flex:1;margin:0}
button.small{width:auto;padding:.35rem .75rem;font-size:.875em;margin:.5rem 0 0}form.inline button.small{margin:0}
img.qr{display:block;margin:.5rem auto 1rem;background:#fff;padding:8px;border-radius:8px}
ul.codes{list-style:none;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:.5rem}ul.codes li{list-style:none}
.apps{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:1rem}
.apps li{list-style:none;margin:0}
.apps a{display:flex;flex-direction:column;align-items:center;gap:.6rem;padding:1.25rem .75rem;border:1px solid var(--pico-muted-border-color);border-radius:calc(var(--pico-border-radius)*2);text-align:center;text-decoration:none;color:inherit;height:100%;background:var(--pico-card-background-color);transition:box-shadow .15s,transform .15s}
.apps a:hover,.apps a:focus-visible{box-shadow:var(--pico-card-box-shadow);transform:translateY(-2px)}
.apps .icon{width:3.5rem;height:3.5rem;border-radius:.9rem;object-fit:contain;display:flex;align-items:center;justify-content:center;font-size:1.6rem;font-weight:700;color:#fff}
.apps .name{font-weight:600}
.apps .host{font-size:.8em;color:var(--pico-muted-color);overflow-wrap:anywhere}
.empty{padding:2rem;text-align:center;border:1px dashed var(--pico-muted-border-color);border-radius:var(--pico-border-radius)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.actions form{margin:0}.actions button{margin:0;width:auto}
td form{margin:0}td button{margin:0;width:auto;padding:.3rem .7rem;font-size:.875em}
.badge{display:inline-block;font-size:.75em;padding:.1em .6em;border-radius:1em;background:var(--pico-secondary-background);color:var(--pico-secondary-inverse);white-space:nowrap}
.avatar{width:4rem;height:4rem;border-radius:50%;object-fit:cover}
@media (max-width:576px){nav.sections ul{flex-wrap:wrap}nav.sections li{padding-block:.25rem}main.container{padding-inline:.75rem}.apps{grid-template-columns:repeat(2,1fr);gap:.75rem}.hide-sm{display:none}table{font-size:.85em}}
`;

export function portalPage(
  config: SesameConfig,
  section: PortalSection | undefined,
  title: string,
  viewer: PortalViewer,
  body: SafeHtml,
  options: { passkeys?: boolean } = {},
): string {
  const brand = config.branding;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} – ${brand.name}</title>
        <link rel="stylesheet" href="/assets/pico.min.css" />
        <style>
          ${trusted(STYLE)}
        </style>
        ${options.passkeys ? trusted(PASSKEY_SCRIPTS) : ''}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="bar">
          <nav class="container" aria-label="Account">
            <ul>
              <li>
                <a href="/portal" class="brand contrast"
                  >${brand.logo_url ? html`<img src="${brand.logo_url}" alt="" />` : ''}${brand.name}</a
                >
              </li>
            </ul>
            <ul>
              ${viewer.isAdmin ? html`<li><a href="/admin" class="secondary">Admin</a></li>` : ''}
              <li><span class="muted">${viewer.displayName || viewer.username}</span></li>
              <li><a href="/api/oidc/end-session" class="secondary">Sign out</a></li>
            </ul>
          </nav>
          <nav class="container sections" aria-label="Portal">
            <ul>
              ${PORTAL_SECTIONS.map(
                ([id, label]) =>
                  html`<li>
                    <a
                      href="/portal${id ? `/${id}` : ''}"
                      ${id === section ? trusted('aria-current="page"') : ''}
                      >${label}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
        </header>
        <main class="container" id="main" tabindex="-1">${body}</main>
      </body>
    </html>`.value;
}
