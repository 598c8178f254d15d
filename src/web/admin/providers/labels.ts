// The names the provider forms give their settings and choices, on the create form and the
// provider's page alike.
import type { RESOLVED_CONSENT_MODES } from '../../../config/client-model.ts';

export const CLIENT_TYPES = [
  ['confidential', 'Confidential (has a secret)'],
  ['public', 'Public (PKCE, no secret)'],
] as const;

/**
 * One name per provider setting: Authentik's where it has one (its guides name the flows), keyed by
 * the field (and API) name.
 */
export const LABELS = {
  authorization_policy: 'Authentication flow',
  consent_mode: 'Authorization flow',
  client_type: 'Client type',
  redirect_uri: 'Redirect URI',
  post_logout_redirect_uri: 'Post-logout redirect URI',
  id_token_signed_response_alg: 'Signing algorithm',
  subject_mode: 'Subject mode',
} as const;

export const CONSENT_LABELS: Record<(typeof RESOLVED_CONSENT_MODES)[number], string> = {
  explicit: 'Ask every time (explicit)',
  implicit: 'Never ask (implicit)',
  'pre-configured': 'Ask, then remember (pre-configured)',
};

export function policyLabel(policy: string): string {
  if (policy === 'one_factor') return 'Password (one factor)';
  if (policy === 'two_factor') return 'Password and a second factor';
  if (policy === 'deny') return 'Nobody (deny)';
  return `Policy: ${policy}`;
}
