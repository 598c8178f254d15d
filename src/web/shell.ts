// The frame the admin UI and the user portal share: head, skip link, a bar with the brand and the
// account links, the area's section navigation (with "you are here"), and the main region.
import type { SesameConfig } from '../config/load.ts';
import { stylesheet } from './assets.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { brandLogo, brandName, htmlDocument } from './views/document.ts';

/** Pico CSS: the admin UI's and the portal's base styles. */
const PICO = '/assets/pico.min.css';

const SHELL_STYLE = `
.skip{position:absolute;left:-999px;top:0;z-index:10;padding:.5rem 1rem;background:var(--pico-primary-background);color:var(--pico-primary-inverse)}
.skip:focus{left:.5rem;top:.5rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header.bar{border-bottom:1px solid var(--pico-muted-border-color);margin-bottom:1.5rem;padding-block:.25rem 0}
header.bar>nav{flex-wrap:wrap}
header.bar .brand{font-weight:700;display:inline-flex;align-items:center;gap:.5rem}
header.bar .brand img{height:1.75rem}
nav.sections{overflow-x:auto;-webkit-overflow-scrolling:touch}
nav.sections ul{margin:0;flex-wrap:nowrap}
nav.sections li{white-space:nowrap;padding-block:.5rem}
nav.sections a{border-radius:0;border-bottom:3px solid transparent;padding-inline:.25rem;margin-inline:.5rem}
nav.sections a[aria-current=page]{border-bottom-color:var(--pico-primary);color:var(--pico-primary);font-weight:600}
.muted{color:var(--pico-muted-color);font-size:.9em}
.notice{padding:.75rem 1rem;border-radius:var(--pico-border-radius);background:#e8f5ee;color:#14532d;border:1px solid #a7d7bb;margin-bottom:1rem}
.empty{padding:2rem;text-align:center;border:1px dashed var(--pico-muted-border-color);border-radius:var(--pico-border-radius)}
section.card{padding:1rem 1.25rem;border:1px solid var(--pico-muted-border-color);border-radius:var(--pico-border-radius);margin-bottom:1.5rem}
section.card>h2{font-size:1.15rem;margin-bottom:.75rem}
.badge{display:inline-block;font-size:.75em;padding:.1em .6em;border-radius:1em;background:var(--pico-secondary-background);color:var(--pico-secondary-inverse);white-space:nowrap}
@media (max-width:576px){
 main.container{padding-inline:.75rem}
 table{font-size:.85em}
 .hide-sm{display:none}
 nav.sections ul{flex-wrap:wrap}nav.sections li{padding-block:.25rem}
}
`;

const SHELL_STYLESHEET = stylesheet('shell', SHELL_STYLE);

export interface ShellInput {
  config: SesameConfig;
  /** The page title, before the product name. */
  title: string;
  /** Where the brand links to, and what it says after the product name ("admin"), if anything. */
  home: string;
  brandSuffix?: string;
  /** The account links on the right of the bar. */
  account: SafeHtml;
  /** The area's sections: label of the navigation, and [href, label, current] for each. */
  sectionsLabel: string;
  sections: readonly (readonly [string, string, boolean])[];
  /** What the area adds: its own stylesheet (from stylesheet()), and tags for the head (scripts). */
  stylesheet: string;
  head?: SafeHtml;
  body: SafeHtml;
}

export function shell(input: ShellInput): string {
  return htmlDocument({
    config: input.config,
    title: input.title,
    brandSuffix: input.brandSuffix,
    stylesheets: [PICO, SHELL_STYLESHEET, input.stylesheet],
    head: input.head,
    body: html`<a class="skip" href="#main">Skip to content</a>
      <header class="bar">
        <nav class="container" aria-label="Account">
          <ul>
            <li>
              <a href="${input.home}" class="brand contrast"
                >${brandLogo(input.config)}${brandName(input.config, input.brandSuffix)}</a
              >
            </li>
          </ul>
          <ul>
            ${input.account}
          </ul>
        </nav>
        <nav class="container sections" aria-label="${input.sectionsLabel}">
          <ul>
            ${input.sections.map(
              ([href, label, current]) =>
                html`<li>
                  <a href="${href}" ${current ? trusted('aria-current="page"') : ''}>${label}</a>
                </li>`,
            )}
          </ul>
        </nav>
      </header>
      <main class="container" id="main" tabindex="-1">${input.body}</main>`,
  });
}
