// "My applications": a tile per application the user may open.
import { createHash } from 'node:crypto';
import type { Launchable } from '../../services/account.ts';
import type { User } from '../../store/index.ts';
import { html, type SafeHtml } from '../html.ts';
import { AVATAR_HUES } from './layout.view.ts';

/** A colour class for a letter avatar (see AVATAR_HUES), stable per application. */
function avatarColour(seed: string): string {
  return `hue-${createHash('sha256').update(seed).digest()[0]! % AVATAR_HUES}`;
}

function icon(tile: Launchable): SafeHtml {
  if (tile.icon)
    return html`<img class="icon" src="${tile.icon}" alt="" width="56" height="56" loading="lazy" />`;
  return html`<span class="icon ${avatarColour(tile.name)}" aria-hidden="true"
    >${[...tile.name.trim()][0]?.toUpperCase() ?? '?'}</span
  >`;
}

function tileView(tile: Launchable): SafeHtml {
  const host = URL.canParse(tile.url) ? new URL(tile.url).host : tile.url;
  return html`<li>
    <a href="${tile.url}" rel="noopener">
      ${icon(tile)}
      <span class="name">${tile.name}</span>
      <span class="host">${tile.description ?? host}</span>
    </a>
  </li>`;
}

export function appsView(user: User, tiles: Launchable[]): SafeHtml {
  return html`<hgroup>
      <h1>My applications</h1>
      <p>Hello ${user.displayName || user.username}. Open an application; you are already signed in.</p>
    </hgroup>
    ${
      tiles.length === 0
        ? html`<p class="empty">No applications for you yet. Ask your administrator for access.</p>`
        : html`<ul class="apps">
            ${tiles.map(tileView)}
          </ul>`
    }`;
}
