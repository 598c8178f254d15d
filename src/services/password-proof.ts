// Proving the current password again while signed in (a password change, a session's elevation):
// under the login page's brute-force regulation, so a stolen session cannot be used to guess it.
import type { PasswordAuthenticator } from '../auth/login.ts';
import type { Regulator } from '../factors/regulation.ts';
import type { User } from '../store/index.ts';

export type PasswordProof = 'proven' | 'wrong' | 'banned';

export async function proveCurrentPassword(
  deps: { authenticator: PasswordAuthenticator; regulator: Regulator },
  who: { user: User; clientIp: string },
  password: string,
  factor = 'password',
): Promise<PasswordProof> {
  const { user } = who;
  const attempt = { username: user.username, clientIp: who.clientIp };
  // While banned nothing is verified.
  if (await deps.regulator.banned(attempt)) return 'banned';
  const verified = await deps.authenticator.authenticate(user.username, password);
  const proven = verified?.id === user.id;
  await deps.regulator.record(attempt, factor, proven);
  return proven ? 'proven' : 'wrong';
}
