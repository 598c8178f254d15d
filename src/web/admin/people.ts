// The admin pages for people: users (list and search, create, profile and groups, access,
// password, second factors, sessions) and groups (list, create, members, delete). They call the
// same services as the admin API and the CLI, behind the admin UI's guard.
import type { FastifyInstance } from 'fastify';
import { GroupAdminService } from '../../services/groups.ts';
import { UserAdminService } from '../../services/users.ts';
import type { PeopleContext } from './context.ts';
import { registerGroupPage } from './groups/group.ts';
import { registerGroupList } from './groups/list.ts';
import type { AdminKit } from './index.ts';
import { registerUserAccess } from './users/access.ts';
import { registerUserCreate } from './users/create.ts';
import { registerUserList } from './users/list.ts';
import { registerUserProfile } from './users/profile.ts';
import { registerUserSessions } from './users/sessions.ts';
import { registerUserPage } from './users/user.ts';

export function registerPeoplePages(scope: FastifyInstance, kit: AdminKit): void {
  const { config, store, factors } = kit;
  const hashing = config.authentication_backend.password_hashing;
  const context: PeopleContext = {
    config,
    once: kit.once,
    users: new UserAdminService(store, hashing, factors),
    groups: new GroupAdminService(store, hashing),
  };
  for (const register of [
    registerUserList,
    registerUserCreate,
    registerUserPage,
    registerUserProfile,
    registerUserAccess,
    registerUserSessions,
    registerGroupList,
    registerGroupPage,
  ])
    register(scope, context);
}
