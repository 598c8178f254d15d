// What every portal page gets: the server's configuration, the account service, one-time notes, and
// a way to send a page in the portal's frame for the signed-in user.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SesameConfig } from '../../config/load.ts';
import { signedIn } from '../../http/guards.ts';
import type { OneTimeNotes } from '../../http/once.ts';
import type { AccountService, ActorSession } from '../../services/account.ts';
import type { ElevationService, ElevationSession } from '../../services/elevation.ts';
import type { User } from '../../store/index.ts';
import type { SafeHtml } from '../html.ts';
import type { FieldErrors } from '../../http/forms.ts';
import type { Frame } from './layout.view.ts';

export interface PortalKit {
  config: SesameConfig;
  account: AccountService;
  /** Whether the session may change second factors and the address now (an elevated session). */
  elevation: ElevationService;
  /** What a form's success shows once (recovery codes) on the page its redirect opens. */
  once: OneTimeNotes;
  /** Sends `body` in the portal's frame, with the signed-in user in its bar. */
  send(reply: FastifyReply, user: User, frame: Frame, body: SafeHtml, status?: number): Promise<FastifyReply>;
  /** Sends a form's page, `render(view)`: 400 when the view shows field errors. */
  sendForm<V extends FormView>(
    reply: FastifyReply,
    frame: Frame,
    view: V,
    render: (view: V) => SafeHtml,
  ): Promise<FastifyReply>;
}

/** What a form's view holds at least: whose form it is, and its field errors. */
export interface FormView {
  user: User;
  errors?: FieldErrors;
}

/** A page (or a few of one section): its routes, registered in the portal's guarded scope. */
export type PortalPage = (scope: FastifyInstance, kit: PortalKit) => void;

/** The signed-in user as the account service's actor: their session and where they act from. */
export function actorOf(request: FastifyRequest): ActorSession {
  const { user, sessionUid } = signedIn(request);
  return { user, sessionUid, clientIp: request.ip };
}

/** The signed-in session as the elevation service sees it. */
export function elevationSessionOf(request: FastifyRequest): ElevationSession {
  const { user, sessionUid, amr } = signedIn(request);
  return { user, sessionUid, amr, clientIp: request.ip };
}

/** A text as typed (passwords: spaces count); the app-wide check has made sure a field is one text. */
export function typed(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
