// Redis for tests: the server on 127.0.0.1:6379. Skipped only where none runs and this is not CI.
import { Socket } from 'node:net';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

function reachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(REDIS_PORT, REDIS_HOST);
  });
}

export async function skipWithoutRedis(): Promise<string | false> {
  if (await reachable()) return false;
  if (process.env.CI) throw new Error(`Redis is not reachable at ${REDIS_HOST}:${REDIS_PORT}`);
  return `Redis is not reachable at ${REDIS_HOST}:${REDIS_PORT}`;
}
