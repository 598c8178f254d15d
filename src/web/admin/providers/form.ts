// Reading the provider forms: the create form → the service's input, the edit form → the API's PATCH
// body (validated by the same schema and the same service), and the schema's findings as field errors.
import type { z } from 'zod';
import { CLIENT_SETTINGS } from '../../../apps/client-settings.ts';
import { redirectUrisProblem } from '../../../config/redirect-uris.ts';
import { NEW_CLIENT_DEFAULTS, SIGNING_ALGORITHMS } from '../../../config/client-model.ts';
import { many, one, type FieldErrors, type Form } from '../../../http/forms.ts';
import type { NewProviderInput } from '../../../services/applications.ts';
import type { RedirectUri } from '../../../store/index.ts';

/** Parallel `<name>_url` / `<name>_mode` fields → URIs; empty rows are dropped. */
export function uriRowsFrom(form: Form, name: string): RedirectUri[] {
  // Row by row, empty ones included, so that the n-th mode stays with the n-th URL.
  const rows = (value: unknown) => (Array.isArray(value) ? value : [value]).map(one);
  const urls = rows(form[`${name}_url`]);
  const modes = rows(form[`${name}_mode`]);
  return urls
    .map((url, index) => ({
      url,
      matching_mode: modes[index] === 'regex' ? ('regex' as const) : ('strict' as const),
    }))
    .filter((uri) => uri.url);
}

/** The create form: a choice outside the offered ones falls back to the default. */
export function createInput(form: Form, policies: readonly string[]): NewProviderInput {
  const chosen = (name: string, allowed: readonly string[], fallback: string) =>
    allowed.includes(one(form[name])) ? one(form[name]) : fallback;
  return {
    name: one(form.name),
    public: one(form.client_type) === 'public',
    redirectUris: uriRowsFrom(form, 'redirect_uri'),
    consentMode: one(form.consent_mode) === 'implicit' ? 'implicit' : NEW_CLIENT_DEFAULTS.consentMode,
    authorizationPolicy: chosen('authorization_policy', policies, NEW_CLIENT_DEFAULTS.authorizationPolicy),
    idTokenSignedResponseAlg: chosen(
      'id_token_signed_response_alg',
      SIGNING_ALGORITHMS,
      NEW_CLIENT_DEFAULTS.idTokenSignedResponseAlg,
    ),
    subjectMode: one(form.subject_mode) || NEW_CLIENT_DEFAULTS.subjectMode,
  };
}

/** The further settings from the form: empty clears one (back to the default). */
function settingsFromForm(form: Form): Record<string, unknown> {
  return Object.fromEntries(
    CLIENT_SETTINGS.map((setting) => {
      if (setting.kind === 'list') {
        const chosen = many(form[setting.key]);
        return [setting.key, chosen.length ? chosen : null];
      }
      const text = one(form[setting.key]);
      // (An unchecked box is not sent: off.)
      if (setting.kind === 'boolean') return [setting.key, text === 'on'];
      if (text === '') return [setting.key, null];
      if (setting.kind !== 'json') return [setting.key, text];
      try {
        return [setting.key, JSON.parse(text) as unknown];
      } catch {
        // Left as text: the schema refuses it next to the field.
        return [setting.key, text];
      }
    }),
  );
}

/** The edit form → the API's PATCH body. */
export function patchFromForm(form: Form): Record<string, unknown> {
  const number = (name: string) => {
    const text = one(form[name]);
    return text === '' ? undefined : Number(text);
  };
  return {
    name: one(form.name),
    client_type: one(form.client_type),
    redirect_uris: uriRowsFrom(form, 'redirect_uri'),
    post_logout_redirect_uris: uriRowsFrom(form, 'post_logout_redirect_uri'),
    scopes: many(form.scopes),
    consent_mode: one(form.consent_mode),
    pre_configured_consent_duration: number('pre_configured_consent_duration'),
    authorization_policy: one(form.authorization_policy),
    allowed_groups: many(form.allowed_groups),
    subject_mode: one(form.subject_mode),
    require_pkce: one(form.require_pkce) === 'on',
    id_token_signed_response_alg: one(form.id_token_signed_response_alg),
    // Empty means the server default: an explicit undefined clears the client's own value.
    lifespans: {
      access_token: number('lifespan_access_token'),
      id_token: number('lifespan_id_token'),
      refresh_token: number('lifespan_refresh_token'),
      authorize_code: number('lifespan_authorize_code'),
    },
    ...settingsFromForm(form),
  };
}

/** The schema's findings by field (a lifespan by `lifespans.<name>`), with the URIs' problems. */
export function patchErrors(form: Form, issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.path.map(String);
    const field = path[0] === 'lifespans' ? path.slice(0, 2).join('.') : path[0]!;
    errors[field] ??= issue.message;
  }
  // Shown together with the schema's findings rather than after the next submit.
  const uris = [...uriRowsFrom(form, 'redirect_uri'), ...uriRowsFrom(form, 'post_logout_redirect_uri')];
  const problem = redirectUrisProblem(uris);
  if (problem) errors.redirect_uris ??= problem;
  return errors;
}

/** The fields of the edit form a service error can name. */
export const EDIT_FIELDS = [
  'redirect_uris',
  'authorization_policy',
  'pre_configured_consent_duration',
  ...CLIENT_SETTINGS.map((setting) => setting.key),
];
