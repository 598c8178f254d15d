// The form that creates a provider (Authentik's first step): name, flows, client type, redirect URIs.
import { NEW_CLIENT_DEFAULTS, SIGNING_ALGORITHMS } from '../../../config/client-model.ts';
import { one, type FieldErrors, type Form } from '../../../http/forms.ts';
import { SUBJECT_MODES } from '../../../config/client-model.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, formProblem, inputField, selectField } from '../../views/forms.ts';
import { uriRows } from './fields.view.ts';
import { uriRowsFrom } from './form.ts';
import { CLIENT_TYPES, CONSENT_LABELS, LABELS, policyLabel } from './labels.ts';

export interface NewProviderFormInput {
  csrf: string;
  /** The policies to offer, in order. */
  policies: readonly string[];
  values: Form;
  errors: FieldErrors;
}

export function newProviderForm({ csrf, policies, values, errors }: NewProviderFormInput): SafeHtml {
  const chosen = (name: string, fallback: string) => one(values[name]) || fallback;
  return html`<h1>Create provider</h1>
    ${formProblem(errors)}
    <form method="post" action="/admin/providers">
      ${csrfField(csrf)}
      <fieldset>
        <legend>Type</legend>
        <label><input type="radio" name="type" value="oauth2" checked /> OAuth2/OpenID Provider</label>
      </fieldset>
      ${inputField({ name: 'name', label: 'Name', value: one(values.name), errors, required: true })}
      ${selectField({
        name: 'authorization_policy',
        label: LABELS.authorization_policy,
        options: policies.map((policy) => [policy, policyLabel(policy)] as const),
        value: chosen('authorization_policy', NEW_CLIENT_DEFAULTS.authorizationPolicy),
      })}
      ${selectField({
        name: 'consent_mode',
        label: LABELS.consent_mode,
        // Pre-configured consent needs a duration: set it on the provider's page.
        options: (['explicit', 'implicit'] as const).map((mode) => [mode, CONSENT_LABELS[mode]] as const),
        value: chosen('consent_mode', NEW_CLIENT_DEFAULTS.consentMode),
      })}
      ${selectField({
        name: 'client_type',
        label: LABELS.client_type,
        options: CLIENT_TYPES,
        value: chosen('client_type', 'confidential'),
      })}
      ${uriRows('redirect_uri', LABELS.redirect_uri, uriRowsFrom(values, 'redirect_uri'), errors, false)}
      ${selectField({
        name: 'id_token_signed_response_alg',
        label: LABELS.id_token_signed_response_alg,
        options: SIGNING_ALGORITHMS,
        value: chosen('id_token_signed_response_alg', NEW_CLIENT_DEFAULTS.idTokenSignedResponseAlg),
      })}
      ${selectField({
        name: 'subject_mode',
        label: LABELS.subject_mode,
        options: SUBJECT_MODES,
        value: chosen('subject_mode', NEW_CLIENT_DEFAULTS.subjectMode),
      })}
      <button type="submit">Done</button>
    </form>`;
}
