// What each scope releases, as Authentik and Authelia map them.
import type { User } from '../store/index.ts';

export const SCOPE_CLAIMS: Record<string, string[]> = {
  // acr and amr come from the login session, not the account: they appear in ID tokens only.
  openid: ['sub', 'acr', 'amr'],
  // Every standard profile claim (OIDC Core 5.4); those the user's record lacks are left out.
  profile: [
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'preferred_username',
    'nickname',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
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
  const { nickname, phone_number, ...further } = user.claims;
  return {
    ...further,
    sub: user.id,
    name: user.displayName ?? user.username,
    given_name: user.givenName,
    family_name: user.familyName,
    preferred_username: user.username,
    nickname: nickname ?? user.username,
    picture: user.picture,
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    email: user.email,
    email_verified: user.email ? user.emailVerified : undefined,
    phone_number,
    // Nobody has verified a number Sesame was given.
    phone_number_verified: phone_number ? false : undefined,
    groups: user.groups,
  };
}
