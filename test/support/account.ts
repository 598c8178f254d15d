// The user's own account service over a test Sesame's parts, as the portal builds it.
import { PasswordAuthenticator } from '../../src/auth/login.ts';
import { AuthorizationPolicies } from '../../src/auth/policy.ts';
import { AccountService } from '../../src/services/account.ts';
import { ApplicationService } from '../../src/services/applications.ts';
import type { AccountNotifications } from '../../src/services/notifications.ts';
import type { TestSesame } from './sesame.ts';

export function accountServiceOf(sesame: TestSesame, notifications?: AccountNotifications): AccountService {
  const { config, store, factors } = sesame.running;
  const hashing = config.authentication_backend.password_hashing;
  return new AccountService({
    store,
    hashing,
    passwordPolicy: config.password_policy,
    factors,
    authenticator: new PasswordAuthenticator(store, hashing),
    applications: new ApplicationService(store, hashing, config.externalUrl),
    policies: new AuthorizationPolicies(config.identity_providers.oidc.authorization_policies),
    encryptionKey: config.storage.encryption_key,
    notifications,
  });
}
