// The catalogue of known apps (presets.yml): what to register for them and the settings to paste
// into them, filled in with an application's real values.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RESOLVED_CONSENT_MODES } from '../config/client-model.ts';
import { ConfigError, validateSource, YamlSource } from '../config/report.ts';
import { InvalidInputError } from '../lib/errors.ts';

const PLACEHOLDERS = [
  'client_id',
  'client_secret',
  'issuer',
  'issuer_no_slash',
  'global_issuer',
  'app_url',
  'redirect_uri',
  'random_base64_32',
] as const;

const template = z.string().superRefine((value, ctx) => {
  for (const [, name] of value.matchAll(/\{([a-z0-9_]+)\}/g))
    if (!(PLACEHOLDERS as readonly string[]).includes(name!))
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder {${name}}`,
        params: { allowed: PLACEHOLDERS.join(', ') },
      });
});

const preset = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  redirect_paths: z.array(z.string().startsWith('/')).min(1),
  scopes: z.array(z.string()).min(1),
  consent_mode: z.enum(RESOLVED_CONSENT_MODES).default('implicit'),
  settings: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), template),
});

export type Preset = z.output<typeof preset> & { id: string };

let catalogue: Map<string, Preset> | undefined;

export function presets(): Map<string, Preset> {
  if (!catalogue) {
    const file = new URL('./presets.yml', import.meta.url);
    const source = new YamlSource(file.pathname, readFileSync(file, 'utf8'));
    const result = validateSource(source, z.record(z.string().regex(/^[a-z0-9-]+$/), preset));
    if (!result.ok) throw new ConfigError(result.problems);
    catalogue = new Map(Object.entries(result.value).map(([id, entry]) => [id, { ...entry, id }]));
  }
  return catalogue;
}

export function findPreset(id: string): Preset {
  const found = presets().get(id);
  if (!found)
    throw new InvalidInputError(
      `unknown preset '${id}' (allowed: ${[...presets().keys()].join(', ')})`,
      'preset',
    );
  return found;
}

export interface GuideValues {
  clientId: string;
  clientSecret?: string;
  issuer: string;
  globalIssuer: string;
  appUrl: string;
}

/** The app's settings with real values; the secret shows as a placeholder once it is gone. */
export function renderSettings(entry: Preset, values: GuideValues): [string, string][] {
  const appUrl = values.appUrl.replace(/\/+$/, '');
  const replacements: Record<(typeof PLACEHOLDERS)[number], () => string> = {
    client_id: () => values.clientId,
    client_secret: () => values.clientSecret ?? '<the client secret shown when it was created>',
    issuer: () => values.issuer,
    issuer_no_slash: () => values.issuer.replace(/\/+$/, ''),
    global_issuer: () => values.globalIssuer,
    app_url: () => appUrl,
    redirect_uri: () => `${appUrl}${entry.redirect_paths[0]!}`,
    random_base64_32: () => randomBytes(32).toString('base64'),
  };
  return Object.entries(entry.settings).map(([key, value]) => [
    key,
    value.replace(/\{([a-z0-9_]+)\}/g, (_, name: string) =>
      replacements[name as (typeof PLACEHOLDERS)[number]](),
    ),
  ]);
}

/** Values with spaces are quoted so the block pastes into a .env file or docker-compose as is. */
export function formatSettings(settings: [string, string][]): string {
  return settings
    .map(([key, value]) => `${key}=${/[\s#"']/.test(value) ? JSON.stringify(value) : value}`)
    .join('\n');
}
