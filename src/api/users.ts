// /api/v1/users and /api/v1/groups: accounts, their groups, password, second factors and sessions.
import { z } from 'zod';
import { generatePassword, profileClaims, UserService } from '../auth/users.ts';
import type { SesameConfig } from '../config/load.ts';
import { ConflictError, NotFoundError, ReadOnlyError } from '../lib/errors.ts';
import type { Factors } from '../factors/index.ts';
import type { Store, User } from '../store/index.ts';
import { definedOnly, route, type AnyRoute } from './routes.ts';
import { SessionService } from '../services/sessions.ts';
import { sessionView, sessionViewSchema } from './sessions.ts';

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
  source: z.string().describe('`file` users come from the users file and are read-only'),
  factors: z.object({ totp: z.boolean(), passkeys: z.number(), recovery_codes: z.number() }).optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

const profileFields = {
  email: z.email().optional(),
  email_verified: z
    .boolean()
    .optional()
    .describe(
      'An address set by an administrator counts as verified (as in Authentik): default true when email is given',
    ),
  display_name: z.string().trim().max(200).optional(),
  given_name: z.string().trim().max(200).optional(),
  family_name: z.string().trim().max(200).optional(),
  picture: z.url().optional(),
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

export function userRoutes(config: SesameConfig, store: Store, factors: Factors): AnyRoute[] {
  const service = new UserService(store, config.authentication_backend.password_hashing);
  const local = async (username: string) => {
    const user = await service.require(username);
    if (user.source === 'file')
      throw new ReadOnlyError(`'${user.username}' comes from the users file; change it there and restart`);
    return user;
  };
  const audit = (type: string, actor: string, subject: string, details: Record<string, unknown> = {}) =>
    store.events.append({ type, actor, subject, details });

  return [
    route({
      method: 'GET',
      path: '/users',
      operationId: 'listUsers',
      summary: 'List users; `search` matches username, email and display name',
      tag: 'users',
      resource: 'users',
      access: 'read',
      query: pageQuery.extend({
        search: z.string().max(100).optional(),
        source: z.enum(['local', 'file']).optional(),
      }),
      response: z.object({ items: z.array(userView), next_offset: z.number().optional() }),
      async handler({ query }) {
        const page = await store.users.list({ ...query, limit: query.limit + 1 });
        return {
          items: page.slice(0, query.limit).map((user) => toView(user)),
          next_offset: page.length > query.limit ? query.offset + query.limit : undefined,
        };
      },
    }),
    route({
      method: 'POST',
      path: '/users',
      operationId: 'createUser',
      summary: 'Create a user; a generated password is returned once',
      tag: 'users',
      resource: 'users',
      access: 'write',
      body: createUser,
      status: 201,
      response: z.object({ user: userView, password: z.string().optional() }),
      async handler({ body, actor }) {
        const password = body.password ?? generatePassword();
        const user = await service.create({
          username: body.username,
          password,
          email: body.email,
          emailVerified: body.email_verified,
          displayName: body.display_name,
          givenName: body.given_name,
          familyName: body.family_name,
          picture: body.picture,
          claims: body.claims,
          groups: body.groups,
          disabled: body.disabled,
        });
        await audit('user.created', actor, user.username);
        return { user: toView(user), password: body.password === undefined ? password : undefined };
      },
    }),
    route({
      method: 'GET',
      path: '/users/{username}',
      operationId: 'getUser',
      summary: 'One user, with a summary of their second factors',
      tag: 'users',
      resource: 'users',
      access: 'read',
      params: USERNAME_PARAM,
      response: userView,
      async handler({ params }) {
        const user = await service.require(params.username);
        return toView(user, await factors.summary(user.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/users/{username}',
      operationId: 'updateUser',
      summary: 'Change profile fields, groups, or disable/enable',
      tag: 'users',
      resource: 'users',
      access: 'write',
      params: USERNAME_PARAM,
      body: patchUser,
      response: userView,
      async handler({ params, body, actor }) {
        const user = await local(params.username);
        const updated = await store.users.update(
          user.id,
          definedOnly({
            email: body.email,
            // A new address typed by an administrator is verified unless they say otherwise.
            emailVerified: body.email_verified ?? (body.email !== undefined ? true : undefined),
            displayName: body.display_name,
            givenName: body.given_name,
            familyName: body.family_name,
            picture: body.picture,
            // Given claims replace those of the same name; the others stay.
            claims: body.claims && { ...user.claims, ...body.claims },
            groups: body.groups,
            disabled: body.disabled,
          }),
        );
        await audit('user.updated', actor, user.username, { fields: Object.keys(body) });
        return toView(updated!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/users/{username}',
      operationId: 'deleteUser',
      summary: 'Delete a user; their sessions and tokens stop working',
      tag: 'users',
      resource: 'users',
      access: 'write',
      params: USERNAME_PARAM,
      async handler({ params, actor, principal }) {
        const user = await local(params.username);
        if (principal.kind === 'user' && principal.id === user.id)
          throw new ConflictError('you cannot delete the account you are signed in with');
        await store.users.delete(user.id);
        await audit('user.deleted', actor, user.username);
      },
    }),
    route({
      method: 'POST',
      path: '/users/{username}/password',
      operationId: 'setUserPassword',
      summary: 'Set a password, or generate one (returned once)',
      tag: 'users',
      resource: 'users',
      access: 'write',
      params: USERNAME_PARAM,
      body: z.strictObject({ password: z.string().optional() }),
      response: z.object({ password: z.string().optional() }),
      async handler({ params, body, actor }) {
        const password = body.password ?? generatePassword();
        const user = await service.setPassword(params.username, password);
        await audit('user.password_set', actor, user.username);
        return { password: body.password === undefined ? password : undefined };
      },
    }),
    route({
      method: 'POST',
      path: '/users/{username}/reset-factors',
      operationId: 'resetUserFactors',
      summary: "Remove the user's authenticator app, passkeys and recovery codes",
      tag: 'users',
      resource: 'users',
      access: 'write',
      params: USERNAME_PARAM,
      async handler({ params, actor }) {
        const user = await service.require(params.username);
        await factors.reset(user.id, actor);
      },
    }),
    route({
      method: 'GET',
      path: '/users/{username}/sessions',
      operationId: 'listUserSessions',
      summary: "The user's login sessions",
      tag: 'sessions',
      resource: 'sessions',
      access: 'read',
      params: USERNAME_PARAM,
      response: z.object({ items: z.array(sessionViewSchema) }),
      async handler({ params }) {
        const user = await service.require(params.username);
        return { items: (await new SessionService(store).listForUser(user)).map(sessionView) };
      },
    }),
    route({
      method: 'GET',
      path: '/groups',
      operationId: 'listGroups',
      summary: 'List groups with their member counts',
      tag: 'groups',
      resource: 'groups',
      access: 'read',
      response: z.object({
        items: z.array(
          z.object({
            name: z.string(),
            is_admin: z.boolean(),
            source: z.string(),
            members: z.number(),
            created_at: z.string(),
          }),
        ),
      }),
      async handler() {
        const groups = await store.groups.list();
        return {
          items: groups.map((group) => ({
            name: group.name,
            is_admin: group.isAdmin,
            source: group.source,
            members: group.members,
            created_at: group.createdAt.toISOString(),
          })),
        };
      },
    }),
    route({
      method: 'POST',
      path: '/groups',
      operationId: 'createGroup',
      summary: 'Create a group; `is_admin` groups may use the admin UI and API',
      tag: 'groups',
      resource: 'groups',
      access: 'write',
      body: z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ -; at most 100'),
        is_admin: z.boolean().default(false),
      }),
      status: 201,
      response: z.object({ name: z.string(), is_admin: z.boolean() }),
      async handler({ body, actor }) {
        if (await store.groups.findByName(body.name))
          throw new ConflictError(`a group named '${body.name}' exists`);
        const group = await store.groups.ensure(body.name, { isAdmin: body.is_admin });
        await audit('group.created', actor, group.name, { is_admin: group.isAdmin });
        return { name: group.name, is_admin: group.isAdmin };
      },
    }),
    route({
      method: 'DELETE',
      path: '/groups/{name}',
      operationId: 'deleteGroup',
      summary: 'Delete a group (its members stay)',
      tag: 'groups',
      resource: 'groups',
      access: 'write',
      params: GROUP_PARAM,
      async handler({ params, actor }) {
        const group = await store.groups.findByName(params.name);
        if (!group) throw new NotFoundError(`there is no group named '${params.name}'`);
        if (group.source === 'file') throw new ReadOnlyError(`'${group.name}' comes from the users file`);
        if (group.isAdmin && (await store.groups.list()).filter((entry) => entry.isAdmin).length === 1)
          throw new ConflictError('this is the last administrators group');
        await store.groups.delete(group.name);
        await audit('group.deleted', actor, group.name);
      },
    }),
  ];
}
