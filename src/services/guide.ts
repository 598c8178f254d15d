// The integration guide for one application: the values an app is configured with and, for apps in
// the catalogue, their settings filled in. The CLI prints it; the admin API serves it; the admin UI
// shows it on the application's page.
import type { RedirectUri } from '../store/index.ts';
import type { ApplicationDetails, NewApplicationInput } from './applications.ts';
import { findPreset, formatSettings, presets, renderSettings, type Preset } from '../apps/presets.ts';
import { ENDPOINTS, globalIssuer } from '../config/urls.ts';
import { InvalidInputError } from '../lib/errors.ts';

export interface Guide {
  application: { slug: string; name: string };
  preset?: { id: string; name: string; description: string; docs: string };
  client_id?: string;
  /** Present only in the answer that created or regenerated the secret. */
  client_secret?: string;
  client_type?: 'public' | 'confidential';
  issuer: string;
  discovery_url: string;
  global_issuer: string;
  global_discovery_url: string;
  redirect_uris: RedirectUri[];
  scopes: string[];
  /** The app's settings with real values, in order (empty for apps outside the catalogue). */
  settings: { name: string; value: string }[];
  /** The same settings as .env lines. */
  env: string;
}

/** The defaults a catalogue entry gives an application at the app's base URL. */
function presetDefaults(
  preset: Preset,
  appUrl: string,
): Required<
  Pick<NewApplicationInput, 'name' | 'slug' | 'launchUrl' | 'redirectUris' | 'scopes' | 'consentMode'>
> & {
  preset: string;
} {
  const base = appUrl.replace(/\/+$/, '');
  return {
    name: preset.name,
    slug: preset.id,
    launchUrl: base,
    redirectUris: preset.redirect_paths.map((path) => ({
      url: `${base}${path}`,
      matching_mode: 'strict' as const,
    })),
    scopes: preset.scopes,
    consentMode: preset.consent_mode,
    preset: preset.id,
  };
}

/**
 * A request with a preset and the app's base URL, completed by the preset: what was given wins, the
 * preset's redirect URIs come first. Without a preset the app URL is only the launch URL.
 */
export function withPresetDefaults(input: NewApplicationInput): NewApplicationInput & { name: string } {
  const defaults =
    input.preset && input.appUrl ? presetDefaults(findPreset(input.preset), input.appUrl) : undefined;
  const name = input.name ?? defaults?.name;
  if (name === undefined) throw new InvalidInputError('give the application a name (or a preset)', 'name');
  return {
    ...input,
    name,
    slug: input.slug ?? defaults?.slug,
    launchUrl: input.launchUrl ?? defaults?.launchUrl ?? input.appUrl,
    redirectUris: [...(defaults?.redirectUris ?? []), ...input.redirectUris],
    scopes: input.scopes ?? defaults?.scopes,
    consentMode: input.consentMode ?? defaults?.consentMode,
    preset: defaults?.preset ?? input.preset,
  };
}

/** The app's own base URL: its launch URL, or failing that the first redirect URI without the preset's path. */
function appBaseUrl(details: ApplicationDetails, preset: Preset): string {
  if (details.application.launchUrl) return details.application.launchUrl;
  const first = details.client?.redirectUris.find((uri) => uri.matching_mode === 'strict')?.url ?? '';
  const path = preset.redirect_paths.find((candidate) => first.endsWith(candidate));
  return path ? first.slice(0, -path.length) : first;
}

export function buildGuide(details: ApplicationDetails, externalUrl: string, clientSecret?: string): Guide {
  const { application, client, urls } = details;
  const preset =
    application.preset && presets().has(application.preset) ? findPreset(application.preset) : undefined;
  const global = globalIssuer(externalUrl);
  const settings =
    preset && client
      ? renderSettings(preset, {
          clientId: client.clientId,
          clientSecret,
          issuer: urls.issuer,
          globalIssuer: global,
          appUrl: appBaseUrl(details, preset),
        })
      : [];
  return {
    application: { slug: application.slug, name: application.name },
    preset: preset && {
      id: preset.id,
      name: preset.name,
      description: preset.description,
      docs: `docs/integrations/${preset.id}.md`,
    },
    client_id: client?.clientId,
    client_secret: clientSecret,
    client_type: client ? (client.public ? 'public' : 'confidential') : undefined,
    issuer: urls.issuer,
    discovery_url: urls.discovery,
    global_issuer: global,
    global_discovery_url: `${global}${ENDPOINTS.discovery[0]}`,
    redirect_uris: client?.redirectUris ?? [],
    scopes: client?.scopes ?? [],
    settings: settings.map(([name, value]) => ({ name, value })),
    env: formatSettings(settings),
  };
}
