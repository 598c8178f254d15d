import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { applyEnvironment } from './env.ts';
import {
  ConfigError,
  formatPath,
  jsonSchemaOf,
  validateSource,
  YamlSource,
  type JsonSchema,
} from './report.ts';
import { configSchema, parseListenAddress, type Config } from './schema.ts';
import { readTlsMaterial, resolveTlsPaths } from './server-schema.ts';

export const DEFAULT_CONFIG_PATH = './data/sesame.yml';

/** The validated configuration plus what Sesame derives from it. */
export interface SesameConfig extends Config {
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

/** Reads, overrides from the environment and validates; throws ConfigError listing every problem. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): SesameConfig {
  const configFile = resolve(path);
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      {
        where: configFile,
        path: '',
        message: code === 'ENOENT' ? 'the configuration file does not exist' : `cannot be read (${code})`,
        allowed: 'a readable YAML file, given with --config or SESAME_CONFIG',
      },
    ]);
  }
  const source = new YamlSource(configFile, text);
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
  const config = finish(result.value, configFile);
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

function finish(config: Config, configFile: string): SesameConfig {
  const base = dirname(configFile);
  const relative = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  if (config.storage.local) config.storage.local.path = relative(config.storage.local.path);
  if (config.authentication_backend.file)
    config.authentication_backend.file.path = relative(config.authentication_backend.file.path);
  resolveTlsPaths(config.server.tls, base);
  if (config.log.file_path) config.log.file_path = relative(config.log.file_path);
  return { ...config, configFile, externalUrl: externalUrlOf(config) };
}

function externalUrlOf(config: Config): string {
  if (config.server.external_url) return config.server.external_url.replace(/\/+$/, '');
  const address = parseListenAddress(config.server.address);
  const host =
    !address?.host || address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  const hostText = host.includes(':') ? `[${host}]` : host;
  return `${config.server.tls ? 'https' : 'http'}://${hostText}:${address?.port ?? 9091}`;
}
