// /api/v1/users and /api/v1/groups: accounts, their groups, password, second factors and sessions.
import { z } from 'zod';
import { PROFILE_FIELDS, profileClaims } from '../auth/users.ts';
import type { Factors } from '../factors/index.ts';
import { GROUP_NAME, GROUP_NAME_HELP, GroupAdminService, type GroupRow } from '../services/groups.ts';
import { UserAdminService } from '../services/users.ts';
import type { SesameConfig } from '../config/load.ts';
import type { Store, User, UserPatch } from '../store/index.ts';
import { operations, type AnyRoute } from './routes.ts';
import { sessionView, sessionViewSchema } from './sessions.ts';

const userOps = operations('users');
const groupOps = operations('groups');
const sessionOps = operations('sessions');

const USERNAME_PARAM = z.object({ username: z.string().min(1).max(100) });
const GROUP_PARAM = z.object({ name: z.string().min(1).max(100) });
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const userView = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().optional(),
  email_verified: z.boolean(),
  display_name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  picture: z.string().optional(),
  claims: profileClaims,
  groups: z.array(z.string()),
  disabled: z.boolean(),
  source: z
    .string()
    .describe(
      '`file` users come from the users file, `ldap` ones from the LDAP directory; both are read-only',
    ),
  factors: z.object({ totp: z.boolean(), passkeys: z.number(), recovery_codes: z.number() }).optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

const profileFields = {
  email: PROFILE_FIELDS.email.optional(),
  email_verified: z
    .boolean()
    .optional()
    .describe(
      'An address set by an administrator counts as verified (as in Authentik): default true when email is given',
    ),
  display_name: PROFILE_FIELDS.display_name.optional(),
  given_name: PROFILE_FIELDS.given_name.optional(),
  family_name: PROFILE_FIELDS.family_name.optional(),
  picture: PROFILE_FIELDS.picture.optional(),
  claims: profileClaims.optional(),
  groups: z.array(z.string().min(1).max(100)).optional(),
  disabled: z.boolean().optional(),
};

const createUser = z.strictObject({
  username: z.string().min(1).max(100),
  password: z
    .string()
    .optional()
    .describe('At least 8 characters; omit to generate one (returned once in the answer)'),
  ...profileFields,
});

const patchUser = z.strictObject(profileFields);

function toView(user: User, factors?: Awaited<ReturnType<Factors['summary']>>): z.output<typeof userView> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    display_name: user.displayName,
    given_name: user.givenName,
    family_name: user.familyName,
    picture: user.picture,
    claims: user.claims,
    groups: user.groups,
    disabled: user.disabled,
    source: user.source,
    factors: factors && {
      totp: factors.totp,
      passkeys: factors.passkeys,
      recovery_codes: factors.recoveryCodes,
    },
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

/** The API's profile fields as the services name them. */
function toPatch(body: z.output<typeof patchUser>): UserPatch {
  return {
    email: body.email,
    emailVerified: body.email_verified,
    displayName: body.display_name,
    givenName: body.given_name,
    familyName: body.family_name,
    picture: body.picture,
    claims: body.claims,
    groups: body.groups,
    disabled: body.disabled,
  };
}

/** A route that does one thing to a user and answers 204. */
function userAction(
  method: 'POST' | 'DELETE',
  path: string,
  operationId: string,
  summary: string,
  act: (users: UserAdminService, actor: string, username: string) => Promise<unknown>,
) {
  return (users: UserAdminService): AnyRoute =>
    userOps.write({
      method,
      path,
      operationId,
      summary,
      params: USERNAME_PARAM,
      async handler({ params, actor }) {
        await act(users, actor, params.username);
      },
    });
}

/** The users routes, in the order the OpenAPI document lists them. */
const USER_ROUTES: ((users: UserAdminService) => AnyRoute)[] = [
  (users) =>
    userOps.read({
      method: 'GET',
      path: '/users',
      operationId: 'listUsers',
      summary: 'List users; `search` matches username, email and display name',
      query: pageQuery.extend({
        search: z.string().max(100).optional(),
        source: z.enum(['local', 'file', 'ldap']).optional(),
      }),
      response: z.object({ items: z.array(userView), next_offset: z.number().optional() }),
      async handler({ query }) {
        const page = await users.list({ ...query, limit: query.limit + 1 });
        return {
          items: page.slice(0, query.limit).map((user) => toView(user)),
          next_offset: page.length > query.limit ? query.offset + query.limit : undefined,
        };
      },
    }),
  (users) =>
    userOps.write({
      method: 'POST',
      path: '/users',
      operationId: 'createUser',
      summary: 'Create a user; a generated password is returned once',
      body: createUser,
      status: 201,
      response: z.object({ user: userView, password: z.string().optional() }),
      async handler({ body, actor }) {
        const input = { username: body.username, password: body.password, ...toPatch(body) };
        const { user, password } = await users.create(actor, input);
        return { user: toView(user), password };
      },
    }),
  (users) =>
    userOps.read({
      method: 'GET',
      path: '/users/{username}',
      operationId: 'getUser',
      summary: 'One user, with a summary of their second factors',
      params: USERNAME_PARAM,
      response: userView,
      async handler({ params }) {
        const { user, factors } = await users.withFactors(params.username);
        return toView(user, factors);
      },
    }),
  (users) =>
    userOps.write({
      method: 'PATCH',
      path: '/users/{username}',
      operationId: 'updateUser',
      summary: 'Change profile fields, groups, or disable/enable',
      params: USERNAME_PARAM,
      body: patchUser,
      response: userView,
      async handler({ params, body, actor }) {
        return toView(await users.update(actor, params.username, toPatch(body), Object.keys(body)));
      },
    }),
  userAction(
    'DELETE',
    '/users/{username}',
    'deleteUser',
    'Delete a user; their sessions and tokens stop working',
    (users, actor, username) => users.delete(actor, username),
  ),
  (users) =>
    userOps.write({
      method: 'POST',
      path: '/users/{username}/password',
      operationId: 'setUserPassword',
      summary: 'Set a password, or generate one (returned once)',
      params: USERNAME_PARAM,
      body: z.strictObject({ password: z.string().optional() }),
      response: z.object({ password: z.string().optional() }),
      async handler({ params, body, actor }) {
        const { password } = await users.setPassword(actor, params.username, body.password);
        return { password };
      },
    }),
  userAction(
    'POST',
    '/users/{username}/reset-factors',
    'resetUserFactors',
    "Remove the user's authenticator app, passkeys and recovery codes",
    (users, actor, username) => users.resetFactors(actor, username),
  ),
  (users) =>
    sessionOps.read({
      method: 'GET',
      path: '/users/{username}/sessions',
      operationId: 'listUserSessions',
      summary: "The user's login sessions",
      params: USERNAME_PARAM,
      response: z.object({ items: z.array(sessionViewSchema) }),
      async handler({ params }) {
        return { items: (await users.loginSessions(params.username)).map(sessionView) };
      },
    }),
];

const groupView = z.object({
  name: z.string(),
  is_admin: z.boolean(),
  source: z.string(),
  members: z.number(),
  created_at: z.string(),
});

const toGroupView = (group: GroupRow): z.output<typeof groupView> => ({
  name: group.name,
  is_admin: group.isAdmin,
  source: group.source,
  members: group.members,
  created_at: group.createdAt.toISOString(),
});

const GROUP_ROUTES: ((groups: GroupAdminService) => AnyRoute)[] = [
  (groups) =>
    groupOps.read({
      method: 'GET',
      path: '/groups',
      operationId: 'listGroups',
      summary: 'List groups with their member counts',
      response: z.object({ items: z.array(groupView) }),
      async handler() {
        return { items: (await groups.list()).map(toGroupView) };
      },
    }),
  (groups) =>
    groupOps.write({
      method: 'POST',
      path: '/groups',
      operationId: 'createGroup',
      summary: 'Create a group; `is_admin` groups may use the admin UI and API',
      body: z.strictObject({
        name: z.string().regex(GROUP_NAME, GROUP_NAME_HELP),
        is_admin: z.boolean().default(false),
      }),
      status: 201,
      response: z.object({ name: z.string(), is_admin: z.boolean() }),
      async handler({ body, actor }) {
        const group = await groups.create(actor, body.name, body.is_admin);
        return { name: group.name, is_admin: group.isAdmin };
      },
    }),
  (groups) =>
    groupOps.write({
      method: 'DELETE',
      path: '/groups/{name}',
      operationId: 'deleteGroup',
      summary: 'Delete a group (its members stay)',
      params: GROUP_PARAM,
      async handler({ params, actor }) {
        await groups.delete(actor, params.name);
      },
    }),
];

export function userRoutes(config: SesameConfig, store: Store, factors: Factors): AnyRoute[] {
  const hashing = config.authentication_backend.password_hashing;
  const users = new UserAdminService(store, hashing, factors, config.password_policy);
  const groups = new GroupAdminService(store, hashing, config.password_policy);
  return [...USER_ROUTES.map((build) => build(users)), ...GROUP_ROUTES.map((build) => build(groups))];
}
