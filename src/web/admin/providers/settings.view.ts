// The provider's settings form: every setting of a database client, or of a configuration-file
// client shown disabled (read-only).
import { CLIENT_SETTINGS, clientSettingValues, type ClientSetting } from '../../../apps/client-settings.ts';
import { SIGNING_ALGORITHMS, STANDARD_SCOPES } from '../../../config/client-model.ts';
import { many, one, type FieldErrors, type Form } from '../../../http/forms.ts';
import type { SesameClient } from '../../../oidc/clients.ts';
import { RESOLVED_CONSENT_MODES, SUBJECT_MODES } from '../../../config/client-model.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import {
  csrfField,
  fieldError,
  formProblem,
  inputField,
  selectField,
  switchField,
} from '../../views/forms.ts';
import { checkboxes, settingField, uriRows } from './fields.view.ts';
import { uriRowsFrom } from './form.ts';
import { CLIENT_TYPES, CONSENT_LABELS, LABELS, policyLabel } from './labels.ts';

type Lifespan = 'access_token' | 'id_token' | 'refresh_token' | 'authorize_code';

export interface SettingsFormInput {
  client: SesameClient;
  csrf: string;
  /** The policies to offer, in order. */
  policies: readonly string[];
  /** The groups there are. */
  groups: readonly string[];
  /** The server's token lifetimes, shown as placeholders. */
  lifespanDefaults: Record<Lifespan, number>;
  /** What was sent, when the form comes back with errors. */
  values?: Form;
  errors: FieldErrors;
}

/** The form's value of each field: what was sent, else the client's. */
function reader(input: SettingsFormInput) {
  const { values, client } = input;
  const current = clientSettingValues(client);
  return {
    text: (name: string, stored: string) => (values ? one(values[name]) : stored),
    list: (name: string, stored: string[]) => (values ? many(values[name]) : stored),
    uris: (name: string, stored: SesameClient['redirectUris']) =>
      values ? uriRowsFrom(values, name) : stored,
    setting(setting: ClientSetting): string | string[] {
      if (values) return setting.kind === 'list' ? many(values[setting.key]) : one(values[setting.key]);
      const value = current[setting.key];
      if (setting.kind === 'list') return (value as string[] | undefined) ?? [];
      if (setting.kind === 'json') return value === undefined ? '' : JSON.stringify(value, null, 2);
      if (setting.kind === 'boolean') return value === true ? 'on' : '';
      return (value as string | undefined) ?? '';
    },
  };
}

function lifespanField(input: SettingsFormInput, name: Lifespan, label: string): SafeHtml {
  const stored = input.client.lifespans[name]?.toString() ?? '';
  const min = name === 'authorize_code' ? 10 : 60;
  return html`<div>
    ${inputField({
      name: `lifespan_${name}`,
      label,
      type: 'number',
      value: reader(input).text(`lifespan_${name}`, stored),
      errors: input.errors,
      errorKey: `lifespans.${name}`,
      attributes: html`min="${min}" inputmode="numeric" placeholder="default ${input.lifespanDefaults[name]}"`,
    })}
  </div>`;
}

/** Name, client type, URIs and scopes. */
function basics(input: SettingsFormInput): SafeHtml {
  const { client, errors } = input;
  const read = reader(input);
  const readOnly = client.source === 'config';
  const scopes = [...new Set([...STANDARD_SCOPES, ...client.scopes])];
  return html`${inputField({ name: 'name', label: 'Name', value: read.text('name', client.name), errors, required: true })}
    ${selectField({
      name: 'client_type',
      label: LABELS.client_type,
      options: CLIENT_TYPES,
      value: read.text('client_type', client.public ? 'public' : 'confidential'),
      describedBy: 'client-type-help',
    })}
    <small id="client-type-help">Making it confidential creates a secret, shown once.</small>
    ${uriRows('redirect_uri', LABELS.redirect_uri, read.uris('redirect_uri', client.redirectUris), errors, readOnly)}
    ${uriRows(
      'post_logout_redirect_uri',
      LABELS.post_logout_redirect_uri,
      read.uris('post_logout_redirect_uri', client.postLogoutRedirectUris),
      errors,
      readOnly,
    )}
    <fieldset class="choices">
      <legend>Scopes</legend>
      ${checkboxes('scopes', scopes, read.list('scopes', client.scopes))} ${fieldError(errors, 'scopes')}
    </fieldset>`;
}

/** Signing algorithm, subject mode, authentication and authorization flows. */
function choices(input: SettingsFormInput): SafeHtml {
  const { client, errors } = input;
  const read = reader(input);
  const policies = [...new Set([...input.policies, client.authorizationPolicy])];
  return html`<div>
      ${selectField({
        name: 'id_token_signed_response_alg',
        label: LABELS.id_token_signed_response_alg,
        options: SIGNING_ALGORITHMS,
        value: read.text('id_token_signed_response_alg', client.idTokenSignedResponseAlg),
      })}
    </div>
    <div>
      ${selectField({
        name: 'subject_mode',
        label: LABELS.subject_mode,
        options: SUBJECT_MODES,
        value: read.text('subject_mode', client.subjectMode),
      })}
    </div>
    <div>
      ${selectField({
        name: 'authorization_policy',
        label: LABELS.authorization_policy,
        options: policies.map((policy) => [policy, policyLabel(policy)] as const),
        value: read.text('authorization_policy', client.authorizationPolicy),
        errors,
      })}
    </div>
    <div>
      ${selectField({
        name: 'consent_mode',
        label: LABELS.consent_mode,
        options: RESOLVED_CONSENT_MODES.map((mode) => [mode, CONSENT_LABELS[mode]] as const),
        value: read.text('consent_mode', client.consentMode),
      })}
    </div>`;
}

/** The four choices, how long consent is remembered and PKCE, side by side. */
function flows(input: SettingsFormInput): SafeHtml {
  const { client, errors, values } = input;
  const pkce = values ? one(values.require_pkce) === 'on' : client.requirePkce;
  const duration = client.consentDurationSeconds?.toString() ?? '';
  return html`<div class="grid2">
    ${choices(input)}
    <div>
      ${inputField({
        name: 'pre_configured_consent_duration',
        label: 'Remember consent for (seconds)',
        type: 'number',
        value: reader(input).text('pre_configured_consent_duration', duration),
        errors,
        attributes: trusted('min="1"'),
      })}
    </div>
    <div>${switchField({ name: 'require_pkce', label: 'Require PKCE', checked: pkce })}</div>
  </div>`;
}

/** Allowed groups, token lifetimes and the further settings. */
function limits(input: SettingsFormInput): SafeHtml {
  const { client, errors } = input;
  const read = reader(input);
  const groups = [...new Set([...input.groups, ...client.allowedGroups])];
  const open = CLIENT_SETTINGS.some((setting) => errors[setting.key]);
  return html`<fieldset class="choices">
      <legend>Allowed groups</legend>
      ${checkboxes('allowed_groups', groups, read.list('allowed_groups', client.allowedGroups))}
      <small>None checked: every user may sign in.</small>
    </fieldset>
    <fieldset>
      <legend>Token lifetimes (seconds; empty for the server default)</legend>
      <div class="grid2">
        ${lifespanField(input, 'access_token', 'Access token')}
        ${lifespanField(input, 'id_token', 'ID token')}
        ${lifespanField(input, 'refresh_token', 'Refresh token')}
        ${lifespanField(input, 'authorize_code', 'Authorization code')}
      </div>
    </fieldset>
    <details class="more" ${open ? trusted('open') : ''}>
      <summary>More settings</summary>
      ${CLIENT_SETTINGS.map((setting) => settingField(setting, read.setting(setting), errors))}
    </details>`;
}

export function settingsSection(input: SettingsFormInput): SafeHtml {
  const { client, errors } = input;
  const readOnly = client.source === 'config';
  return html`<section aria-labelledby="settings-heading">
    <h2 id="settings-heading">Settings</h2>
    ${readOnly ? html`<p class="muted">Defined in the configuration file: change it there and restart.</p>` : ''}
    ${formProblem(errors)}
    <form method="post" action="/admin/providers/${client.clientId}">
      ${csrfField(input.csrf)}
      <fieldset ${readOnly ? trusted('disabled') : ''}>
        ${basics(input)} ${flows(input)} ${limits(input)}
        ${readOnly ? '' : html`<button type="submit">Save provider</button>`}
      </fieldset>
    </form>
  </section>`;
}
