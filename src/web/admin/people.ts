// The admin areas for people: users (list and search, create, profile and groups, access,
// password, second factors, sessions) and groups (list, create, members, delete). They call the
// same services as the admin API and the CLI, behind the admin UI's guard.
import type { SesameConfig } from '../../config/load.ts';
import type { OneTimeNotes } from '../../http/once.ts';
import { GroupAdminService } from '../../services/groups.ts';
import { UserAdminService } from '../../services/users.ts';
import { registerGroupPage } from './groups/group.ts';
import { registerGroupList } from './groups/list.ts';
import { areaOf, type AdminKit } from './kit.ts';
import { registerUserAccess } from './users/access.ts';
import { registerUserCreate } from './users/create.ts';
import { registerUserList } from './users/list.ts';
import { registerUserProfile } from './users/profile.ts';
import { registerUserSessions } from './users/sessions.ts';
import { registerUserPage } from './users/user.ts';

/** What the users and groups pages share. */
export interface PeopleContext {
  config: SesameConfig;
  users: UserAdminService;
  groups: GroupAdminService;
  /** What a form's success shows once (a generated password) on the page its redirect opens. */
  once: OneTimeNotes;
}

function peopleContext({ config, store, factors, once }: AdminKit): PeopleContext {
  const hashing = config.authentication_backend.password_hashing;
  return {
    config,
    once,
    users: new UserAdminService(store, hashing, factors, config.password_policy),
    groups: new GroupAdminService(store, hashing, config.password_policy),
  };
}

export const registerPeoplePages = areaOf(peopleContext, [
  registerUserList,
  registerUserCreate,
  registerUserPage,
  registerUserProfile,
  registerUserAccess,
  registerUserSessions,
  registerGroupList,
  registerGroupPage,
]);
