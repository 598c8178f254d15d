import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { hmacSecretFromEncryptionKey } from '../crypto/derive.ts';
import { applyEnvironment } from './env.ts';
import {
  ConfigError,
  formatPath,
  jsonSchemaOf,
  validateSource,
  YamlSource,
  type JsonSchema,
} from './report.ts';
import { renderFilters } from './template.ts';
import { configSchema, defaultOidc, parseListenAddress, type Config, type OidcConfig } from './schema.ts';
import { isRecord } from './schema-kit.ts';
import { readTlsMaterial, resolveTlsPaths } from './server-schema.ts';
import { unimplementedWarnings, valueWarnings } from './warnings.ts';

export const DEFAULT_CONFIG_PATH = './data/sesame.yml';

/** The validated configuration plus what Sesame derives from it. */
export interface SesameConfig extends Omit<Config, 'identity_providers'> {
  /** Always present: without the section, the engine runs with no configured clients. */
  identity_providers: { oidc: OidcConfig };
  /** One line per key that is accepted but not implemented (logged once at start). */
  warnings: string[];
  /** The absolute path of the file this came from. */
  configFile: string;
  /** `server.external_url` (or one derived from the listen address), without a trailing slash. */
  externalUrl: string;
}

let cachedJsonSchema: JsonSchema | undefined;
export function configJsonSchema(): JsonSchema {
  cachedJsonSchema ??= jsonSchemaOf(configSchema);
  return cachedJsonSchema;
}

/** Variables naming the filters the file goes through before YAML parsing (Authelia's and ours). */
export const FILTER_ENV = ['SESAME_CONFIG_FILTERS', 'X_AUTHELIA_CONFIG_FILTERS'] as const;

function readConfigText(configFile: string): string {
  try {
    return readFileSync(configFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      {
        where: configFile,
        path: '',
        message: code === 'ENOENT' ? 'the configuration file does not exist' : `cannot be read (${code})`,
        allowed: 'a readable YAML file, given with --config, SESAME_CONFIG or X_AUTHELIA_CONFIG',
      },
    ]);
  }
}

/** The file's text after the filters the environment names (`template`, `expand-env`). */
function filtered(configFile: string, text: string, env: NodeJS.ProcessEnv): string {
  const variable = FILTER_ENV.find((name) => env[name] !== undefined && env[name] !== '');
  if (!variable) return text;
  return renderFilters(text, { file: configFile, filters: env[variable]!, variable, env });
}

/** Reads, overrides from the environment and validates; throws ConfigError listing every problem. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): SesameConfig {
  const configFile = resolve(path);
  const source = new YamlSource(configFile, filtered(configFile, readConfigText(configFile), env));
  if (source.syntaxProblems.length > 0) throw new ConfigError(source.syntaxProblems);
  const data = source.data();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([
      { where: `${configFile}:1`, path: '', message: 'the file must hold a YAML mapping' },
    ]);
  }
  const overrides = applyEnvironment(data as Record<string, unknown>, configJsonSchema(), env);
  const where = (keyPath: readonly PropertyKey[]) => {
    for (let length = keyPath.length; length > 0; length--) {
      const origin = overrides.origins.get(keyPath.slice(0, length).join('.'));
      if (origin) return origin;
    }
    return source.where(keyPath);
  };
  const result = validateSource(source, configSchema, data, where);
  const problems = [...overrides.problems, ...(result.ok ? [] : result.problems)];
  if (!result.ok || problems.length > 0) throw new ConfigError(problems);
  const warnings = [
    ...overrides.warnings,
    ...unimplementedWarnings(configJsonSchema(), data),
    ...valueWarnings(result.value),
  ];
  const config = finish(result.value, configFile, data as Record<string, unknown>, warnings);
  const tlsProblems = config.server.tls ? readTlsMaterial(config.server.tls).problems : [];
  if (tlsProblems.length > 0)
    throw new ConfigError(
      tlsProblems.map(({ path, ...rest }) => {
        const at = ['server', 'tls', ...path];
        return { where: where(at), path: formatPath(at), ...rest };
      }),
    );
  return config;
}

function finish(
  config: Config,
  configFile: string,
  raw: Record<string, unknown>,
  warnings: string[],
): SesameConfig {
  const base = dirname(configFile);
  const relative = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  if (config.storage.local) config.storage.local.path = relative(config.storage.local.path);
  const backend = config.authentication_backend;
  if (backend.file) {
    backend.file.path = relative(backend.file.path);
    // Authelia's own place for the hashing settings, unless Sesame's is given.
    const rawBackend = isRecord(raw.authentication_backend) ? raw.authentication_backend : {};
    if (backend.file.password && rawBackend.password_hashing === undefined)
      backend.password_hashing = backend.file.password;
  }
  resolveTlsPaths(config.server.tls, base);
  if (config.log.file_path) config.log.file_path = relative(config.log.file_path);
  const notifier = config.notifier;
  if (notifier?.template_path) notifier.template_path = relative(notifier.template_path);
  if (notifier?.filesystem) notifier.filesystem.filename = relative(notifier.filesystem.filename);
  return {
    ...config,
    identity_providers: { oidc: oidcOf(config) },
    configFile,
    externalUrl: externalUrlOf(config),
    warnings,
  };
}

/**
 * The OpenID Connect settings: the configured ones (the legacy `issuer_private_key` becoming the
 * one RS256 key of `jwks`), or, without the section, the defaults with a derived hmac_secret.
 */
function oidcOf(config: Config): OidcConfig {
  const oidc = config.identity_providers?.oidc;
  if (!oidc) return defaultOidc(hmacSecretFromEncryptionKey(config.storage.encryption_key));
  if (oidc.issuer_private_key !== undefined && oidc.jwks.length === 0)
    oidc.jwks = [
      {
        key: oidc.issuer_private_key,
        algorithm: 'RS256',
        use: 'sig',
        certificate_chain: oidc.issuer_certificate_chain,
      },
    ];
  return oidc;
}

function externalUrlOf(config: Config): string {
  if (config.server.external_url) return config.server.external_url.replace(/\/+$/, '');
  const address = parseListenAddress(config.server.address);
  const host =
    !address?.host || address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  const hostText = host.includes(':') ? `[${host}]` : host;
  return `${config.server.tls ? 'https' : 'http'}://${hostText}:${address?.port ?? 9091}`;
}
