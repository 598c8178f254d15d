// How the admin UI names the signed-in administrator in audit events.
import type { FastifyRequest } from 'fastify';
import { signedIn } from '../../http/guards.ts';

export function actorOf(request: FastifyRequest): string {
  return `user:${signedIn(request).user.username}`;
}
