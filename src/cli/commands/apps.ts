// `sesame apps`: applications and their OpenID Connect clients. Each command parses its options
// and calls one service method.
import type { Command } from 'commander';
import { z } from 'zod';
import { CLIENT_SETTINGS, clientSettingsPatch, settingOptions } from '../../apps/client-settings.ts';
import { ProviderService } from '../../services/providers.ts';
import { NEW_CLIENT_DEFAULTS, RESOLVED_CONSENT_MODES } from '../../config/client-model.ts';
import {
  applicationService,
  type ApplicationDetails,
  type CreatedApplication,
  type NewApplicationInput,
} from '../../services/applications.ts';
import { findPreset } from '../../apps/presets.ts';
import { isAbsoluteUrl } from '../../config/redirect-uris.ts';
import { globalIssuer } from '../../config/urls.ts';
import { parseDuration } from '../../config/duration.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { fields, table, type Output } from '../output.ts';
import { collect, withStore } from './shared.ts';

function describe(details: ApplicationDetails, externalUrl: string, secret?: string): string {
  const { application, client, urls } = details;
  return fields([
    ['Application', application.name],
    ['Slug', application.slug],
    ['Launch URL', application.launchUrl],
    ['Client type', client ? (client.public ? 'public' : 'confidential') : undefined],
    ['Client ID', client?.clientId],
    ['Client Secret', secret ? `${secret}   (shown once: only its digest is stored)` : undefined],
    ['Issuer', urls.issuer],
    ['Discovery URL', urls.discovery],
    ['Global issuer', globalIssuer(externalUrl)],
    [
      'Redirect URIs',
      client?.redirectUris
        .map((uri) => (uri.matching_mode === 'regex' ? `regex:${uri.url}` : uri.url))
        .join(' '),
    ],
    ['Scopes', client?.scopes.join(' ')],
    ['Policy', client?.authorizationPolicy],
    ['Consent', client?.consentMode],
  ]);
}

function jsonOf(details: ApplicationDetails, secret?: string) {
  const { client } = details;
  return {
    ...details.application,
    client_id: client?.clientId,
    client_secret: secret,
    public: client?.public,
    redirect_uris: client?.redirectUris,
    scopes: client?.scopes,
    ...details.urls,
  };
}

/** `--backchannel-logout-uri <uri>`; a list setting is a repeatable singular flag (`--grant-type`). */
const flagOf = (key: string, list: boolean) =>
  `--${(list ? key.replace(/s$/, '') : key).replaceAll('_', '-')}`;
const optionName = (flag: string) =>
  flag.slice(2).replace(/-(.)/g, (_match, letter: string) => letter.toUpperCase());

/** The YAML client's further settings as options of `apps add` and `apps update`. */
function withSettingOptions(command: Command): Command {
  for (const setting of CLIENT_SETTINGS) {
    const list = setting.kind === 'list';
    const allowed = settingOptions(setting);
    const help = `${setting.help}${allowed.length ? ` (${allowed.join(', ')})` : ''}${list ? ' (repeatable)' : ''}`;
    const value = { json: 'json', url: 'uri', boolean: 'true|false' }[setting.kind as string] ?? 'value';
    const flag = `${flagOf(setting.key, list)} <${value}>`;
    if (list) command.option(flag, help, collect);
    else command.option(flag, help);
  }
  return command;
}

/** The settings given as options, checked by the YAML client's fields; '' clears a value. */
function settingsFromOptions(options: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const setting of CLIENT_SETTINGS) {
    const flag = flagOf(setting.key, setting.kind === 'list');
    const given = options[optionName(flag)];
    if (given === undefined) continue;
    if (setting.kind === 'boolean' && given !== '') {
      if (given !== 'true' && given !== 'false')
        throw new InvalidInputError(`${flag}: true or false`, setting.key);
      values[setting.key] = given === 'true';
    } else if (setting.kind === 'json' && given !== '') {
      try {
        values[setting.key] = JSON.parse(given as string);
      } catch {
        throw new InvalidInputError(`${flag}: not valid JSON`, setting.key);
      }
    } else values[setting.key] = given === '' ? null : given;
  }
  const parsed = z.strictObject(clientSettingsPatch).safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const setting = CLIENT_SETTINGS.find((entry) => entry.key === issue.path[0])!;
    throw new InvalidInputError(
      `${flagOf(setting.key, setting.kind === 'list')}: ${issue.message}`,
      setting.key,
    );
  }
  return parsed.data;
}

/** The options of `apps add`, and the client settings (read by settingsFromOptions). */
interface AddOptions extends Record<string, unknown> {
  slug?: string;
  redirectUri: string[];
  redirectUriRegex: string[];
  postLogoutRedirectUri: string[];
  public?: boolean;
  clientId?: string;
  launchUrl?: string;
  icon?: string;
  description?: string;
  scope: string[];
  policy: string;
  consent?: string;
  consentDuration?: string;
  preset?: string;
  url?: string;
  group: string[];
  json?: boolean;
}

/** The checks that name a flag, before anything is opened. */
function checkAddOptions(name: string | undefined, options: AddOptions): number | undefined {
  const preset = options.preset ? findPreset(options.preset) : undefined;
  if (preset && !options.url)
    throw new InvalidInputError(`--preset ${preset.id} needs --url, the app's own base URL`);
  if (options.url && !isAbsoluteUrl(options.url))
    throw new InvalidInputError(`--url '${options.url}' is not an absolute URL`);
  if (!name && !preset) throw new InvalidInputError('give the application a name (or use --preset)');
  if (
    options.consent !== undefined &&
    !(RESOLVED_CONSENT_MODES as readonly string[]).includes(options.consent)
  )
    throw new InvalidInputError(
      `--consent '${options.consent}' is not allowed (allowed: ${RESOLVED_CONSENT_MODES.join(', ')})`,
    );
  if (options.consentDuration === undefined) return undefined;
  const seconds = parseDuration(options.consentDuration);
  if (seconds === undefined)
    throw new InvalidInputError(
      `--consent-duration '${options.consentDuration}' is not a duration such as 1w`,
    );
  return seconds;
}

/** `apps add`'s arguments as the service's input (a preset fills in the rest there). */
function addInput(name: string | undefined, options: AddOptions): NewApplicationInput {
  const settings = settingsFromOptions(options);
  const consentDuration = checkAddOptions(name, options);
  const uris = (urls: string[], mode: 'strict' | 'regex') =>
    urls.map((url) => ({ url, matching_mode: mode }));
  return {
    name,
    slug: options.slug,
    preset: options.preset,
    appUrl: options.url,
    launchUrl: options.launchUrl,
    icon: options.icon,
    description: options.description,
    redirectUris: [...uris(options.redirectUri, 'strict'), ...uris(options.redirectUriRegex, 'regex')],
    postLogoutRedirectUris: uris(options.postLogoutRedirectUri, 'strict'),
    public: options.public ?? false,
    clientId: options.clientId,
    scopes: options.scope.length > 0 ? options.scope : undefined,
    authorizationPolicy: options.policy,
    consentMode: options.consent as NewApplicationInput['consentMode'],
    preConfiguredConsentDuration: consentDuration,
    allowedGroups: options.group,
    settings,
  };
}

function printCreated(output: Output, created: CreatedApplication, externalUrl: string, json?: boolean) {
  const { guide, clientSecret } = created;
  if (json) {
    const settings = guide.preset
      ? Object.fromEntries(guide.settings.map(({ name, value }) => [name, value]))
      : undefined;
    output.out(JSON.stringify({ ...jsonOf(created, clientSecret), settings }, null, 2));
    return;
  }
  output.out(describe(created, externalUrl, clientSecret));
  if (guide.preset) {
    output.out(
      `\nSettings for ${guide.preset.name} (paste into its environment; guide: ${guide.preset.docs}):\n`,
    );
    output.out(guide.env);
  }
}

function addCommand(apps: Command, output: Output): void {
  withSettingOptions(apps.command('add'))
    .description('Create an application with its client and print the values the app needs')
    .argument('[name]', 'display name, e.g. "RomM" (default: the preset\'s)')
    .option(
      '--preset <app>',
      'a known app: fills in redirect URI, scopes and consent, and prints its settings',
    )
    .option('--url <url>', "the app's own base URL (with --preset), e.g. https://chat.example.com")
    .option('--slug <slug>', 'used in the issuer URL /application/o/<slug>/ (default: from the name)')
    .option('--redirect-uri <uri>', 'an exact redirect URI (repeatable)', collect, [])
    .option('--redirect-uri-regex <pattern>', 'a fully anchored regular expression (repeatable)', collect, [])
    .option('--post-logout-redirect-uri <uri>', 'where logout may return (repeatable)', collect, [])
    .option('--public', 'a public client (no secret; PKCE required)')
    .option('--client-id <id>', 'choose the client id (default: 40 random characters)')
    .option('--launch-url <url>', 'where the user portal opens the app')
    .option('--icon <url>')
    .option('--description <text>')
    .option(
      '--scope <scope>',
      'allowed scope (repeatable; default openid profile email groups offline_access)',
      collect,
      [],
    )
    .option(
      '--policy <policy>',
      'one_factor | two_factor | deny | a named policy',
      NEW_CLIENT_DEFAULTS.authorizationPolicy,
    )
    .option('--consent <mode>', "explicit | implicit | pre-configured (default: explicit, or the preset's)")
    .option('--consent-duration <duration>', 'how long a pre-configured consent lasts, e.g. 1w')
    .option('--group <group>', 'only members of this group may use it (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: AddOptions, command: Command) => {
      const input = addInput(name, options);
      await withStore(command, async ({ config, store }) => {
        const created = await applicationService(config, store).create(input, 'cli');
        printCreated(output, created, config.externalUrl, options.json);
      });
    });
}

function updateCommand(apps: Command, output: Output): void {
  withSettingOptions(apps.command('update'))
    .description("Change an application's client settings (an empty value clears one)")
    .argument('<slug>')
    .action(async (slug: string, options: Record<string, unknown>, command: Command) => {
      const settings = settingsFromOptions(options);
      if (Object.keys(settings).length === 0)
        throw new InvalidInputError('give at least one setting to change');
      await withStore(command, async ({ config, store }) => {
        await new ProviderService(config, store).updateForApplication(slug, settings, 'cli');
        output.out(`Application '${slug}': ${Object.keys(settings).join(', ')} updated.`);
      });
    });
}

function listCommand(apps: Command, output: Output): void {
  apps
    .command('list')
    .description('List applications')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        const list = await applicationService(config, store).list();
        if (options.json)
          return output.out(
            JSON.stringify(
              list.map((details) => jsonOf(details)),
              null,
              2,
            ),
          );
        output.out(
          table(
            ['SLUG', 'NAME', 'CLIENT ID', 'TYPE', 'ISSUER'],
            list.map(({ application, client, urls }) => [
              application.slug,
              application.name,
              client?.clientId ?? '-',
              client ? (client.public ? 'public' : 'confidential') : '-',
              urls.issuer,
            ]),
          ),
        );
      });
    });
}

function showCommand(apps: Command, output: Output): void {
  apps
    .command('show')
    .description('Show an application, its client and its URLs (the secret is never shown again)')
    .argument('<slug>')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        const details = await applicationService(config, store).show(slug);
        output.out(
          options.json ? JSON.stringify(jsonOf(details), null, 2) : describe(details, config.externalUrl),
        );
      });
    });
}

function deleteCommand(apps: Command, output: Output): void {
  apps
    .command('delete')
    .description('Delete an application and its client')
    .argument('<slug>')
    .action(async (slug: string, _options: unknown, command: Command) => {
      await withStore(command, async ({ config, store }) => {
        await applicationService(config, store).delete(slug, 'cli');
        output.out(`Application '${slug}' and its client were deleted.`);
      });
    });
}

export function registerApps(program: Command, output: Output): void {
  const apps = program.command('apps').description('Manage applications and their OpenID Connect clients');
  for (const register of [addCommand, updateCommand, listCommand, showCommand, deleteCommand])
    register(apps, output);
}
