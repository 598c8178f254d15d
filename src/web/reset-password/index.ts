// Password reset by e-mail, for visitors who are not signed in: the request page (request.ts) and the
// mailed link's page (new-password.ts), over services/password-reset.ts.
import type { FastifyInstance } from 'fastify';
import type { PasswordAuthenticator } from '../../auth/login.ts';
import type { SesameConfig } from '../../config/load.ts';
import type { HttpKit } from '../../http/kit.ts';
import type { Logger } from '../../lib/logger.ts';
import { passwordResetServiceOf } from '../../services/password-reset.ts';
import type { Store } from '../../store/index.ts';
import { resetKit } from './kit.ts';
import { registerNewPassword } from './new-password.ts';
import { registerResetRequest } from './request.ts';

export interface ResetContext {
  config: SesameConfig;
  store: Store;
  authenticator: PasswordAuthenticator;
  http: HttpKit;
  logger?: Logger;
}

export function registerPasswordReset(app: FastifyInstance, context: ResetContext): void {
  const kit = resetKit(context.config, passwordResetServiceOf(context), context.http.sessions.csrf);
  registerResetRequest(app, kit);
  registerNewPassword(app, kit);
}
