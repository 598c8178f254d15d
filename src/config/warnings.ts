// Keys Sesame accepts for compatibility with Authelia but does not act on yet carry `unimplemented`
// in the JSON schema (see warned() in authelia-schema.ts). After validation, every such key that is
// set becomes one warning naming it and what Sesame does not do.
import { accessControlWarnings } from './access-control-schema.ts';
import type { Config } from './schema.ts';
import { isRecord } from './schema-kit.ts';
import { formatPath, schemaAt, type JsonSchema } from './report.ts';

/** A section switched off (`disable: true`, `enabled: false`) does nothing in Authelia either. */
function switchedOff(value: unknown): boolean {
  return isRecord(value) && (value.disable === true || value.enabled === false);
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (isRecord(value) && Object.keys(value).length === 0)
  );
}

/** One `"<key path>: accepted but not implemented: <what>"` per unimplemented key set in `data`. */
export function unimplementedWarnings(schema: JsonSchema, data: unknown): string[] {
  const warnings: string[] = [];
  const visit = (value: unknown, path: (string | number)[]) => {
    const node = path.length === 0 ? schema : schemaAt(schema, path);
    if (!node) return;
    if (typeof node.unimplemented === 'string') {
      if (!isEmpty(value) && !switchedOff(value))
        warnings.push(`${formatPath(path)}: accepted but not implemented: ${node.unimplemented}`);
      return;
    }
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (isRecord(value)) for (const [key, child] of Object.entries(value)) visit(child, [...path, key]);
  };
  visit(data, []);
  return warnings;
}

/** Settings that are valid but probably not what was meant. */
export function valueWarnings(config: Config): string[] {
  const warnings = accessControlWarnings(config.access_control);
  if ((config.session?.cookies.length ?? 0) > 0 && config.server.trusted_proxies.length === 0)
    warnings.push(
      'server.trusted_proxies: empty, so the forward-auth endpoints believe X-Forwarded-* and X-Original-* headers from any peer (as Authelia does); list your reverse proxies so that only they are believed',
    );
  if (config.session && config.session.cookies.length === 0)
    warnings.push(
      'session.cookies: no cookie domain is configured, so forward-auth protects nothing (the OpenID Connect apps are not affected)',
    );
  const backend = config.authentication_backend;
  if (backend.refresh_interval !== undefined && !backend.ldap)
    warnings.push(
      'authentication_backend.refresh_interval: accepted but not implemented without ldap: user details are read when the users file is loaded (at start), not refreshed per session',
    );
  if (backend.ldap?.permit_referrals)
    warnings.push(
      'authentication_backend.ldap.permit_referrals: accepted but not implemented: referrals are not followed (point address at a server that can answer and write)',
    );
  return warnings;
}
