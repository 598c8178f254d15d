// What each scope releases, as Authentik and Authelia map them.
import type { User } from '../store/index.ts';

export const SCOPE_CLAIMS: Record<string, string[]> = {
  // acr and amr come from the login session, not the account: they appear in ID tokens only.
  openid: ['sub', 'acr', 'amr'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'nickname', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  groups: ['groups'],
};

/** Plain-words descriptions for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are (a stable identifier)',
  profile: 'See your name, username and picture',
  email: 'See your email address',
  groups: 'See the groups you belong to',
  offline_access: 'Stay signed in when you are not using it (refresh tokens)',
  address: 'See your postal address',
  phone: 'See your phone number',
};

export function userClaims(user: User): Record<string, unknown> {
  return {
    sub: user.id,
    name: user.displayName ?? user.username,
    given_name: user.givenName,
    family_name: user.familyName,
    preferred_username: user.username,
    nickname: user.username,
    picture: user.picture,
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    email: user.email,
    email_verified: user.email ? user.emailVerified : undefined,
    groups: user.groups,
  };
}
