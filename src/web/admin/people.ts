// The admin pages for people: users (list and search, create, profile and groups, access,
// password, second factors, sessions) and groups (list, create, members, delete). They call the
// same services as the admin API and the CLI.
import type { FastifyInstance } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import type { Factors } from '../../factors/index.ts';
import { GroupAdminService } from '../../services/groups.ts';
import { UserAdminService } from '../../services/users.ts';
import type { Store } from '../../store/index.ts';
import type { AdminGuard } from '../admin-kit.ts';
import type { PeopleContext } from './context.ts';
import { registerGroupPage } from './groups/group.ts';
import { registerGroupList } from './groups/list.ts';
import { registerUserAccess } from './users/access.ts';
import { registerUserCreate } from './users/create.ts';
import { registerUserList } from './users/list.ts';
import { registerUserProfile } from './users/profile.ts';
import { registerUserSessions } from './users/sessions.ts';
import { registerUserPage } from './users/user.ts';

export function registerPeoplePages(
  app: FastifyInstance,
  { config, store, factors }: { config: SesameConfig; store: Store; factors: Factors },
  guard: AdminGuard,
): void {
  const hashing = config.authentication_backend.password_hashing;
  const context: PeopleContext = {
    config,
    guard,
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
    register(app, context);
}
