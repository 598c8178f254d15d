// The user portal's layout: the shell the admin UI uses too, with the portal's navigation and styles.
import type { SesameConfig } from '../../config/load.ts';
import { ENDPOINTS } from '../../config/urls.ts';
import { PASSKEY_SCRIPTS, stylesheet } from '../assets.ts';
import { html, trusted, type SafeHtml } from '../html.ts';
import { shell } from '../shell.ts';

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

/** Letter avatars take one of these many hues, spread around the colour wheel. */
export const AVATAR_HUES = 16;

const STYLE = `
@media (min-width:1280px){main.container{max-width:60rem}}
.muted,.meta{color:var(--pico-muted-color);font-size:.9em}
.meta{display:block;margin-top:.25rem}
.problem{padding:.75rem 1rem;border-radius:var(--pico-border-radius);background:#fdecea;color:#7f1d1d;border:1px solid #f5b5ae;margin-bottom:1rem}
.status{color:#b42318;font-size:.9em;margin:.25rem 0 0}
.status:empty{display:none}
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
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.actions form{margin:0}.actions button{margin:0;width:auto}
td form{margin:0}td button{margin:0;width:auto;padding:.3rem .7rem;font-size:.875em}
.avatar{width:4rem;height:4rem;border-radius:50%;object-fit:cover}
${Array.from({ length: AVATAR_HUES }, (_, index) => `.apps .icon.hue-${index}{background:hsl(${Math.round((index * 360) / AVATAR_HUES)} 55% 42%)}`).join('\n')}
@media (max-width:576px){.apps{grid-template-columns:repeat(2,1fr);gap:.75rem}}
`;
const STYLESHEET = stylesheet('portal', STYLE);

/** Where a page sits in the portal: its section (highlighted in the navigation) and title. */
export interface Frame {
  section: PortalSection | undefined;
  title: string;
  /** Loads the passkey script. */
  passkeys?: boolean;
}

export function portalPage(config: SesameConfig, frame: Frame, viewer: PortalViewer, body: SafeHtml): string {
  const { section, title } = frame;
  return shell({
    config,
    title,
    home: '/portal',
    account: html`${viewer.isAdmin ? html`<li><a href="/admin" class="secondary">Admin</a></li>` : ''}
      <li><span class="muted">${viewer.displayName || viewer.username}</span></li>
      <li><a href="${ENDPOINTS.global.end_session}" class="secondary">Sign out</a></li>`,
    sectionsLabel: 'Portal',
    sections: PORTAL_SECTIONS.map(
      ([id, label]) => [`/portal${id ? `/${id}` : ''}`, label, id === section] as const,
    ),
    stylesheet: STYLESHEET,
    head: frame.passkeys ? trusted(PASSKEY_SCRIPTS) : undefined,
    body,
  });
}
