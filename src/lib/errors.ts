// Domain errors: each carries a machine-readable code and an operator-facing description.
// The HTTP layer and the CLI map them; nothing else formats them.

export class SesameError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, description: string, status = 400) {
    super(description);
    this.code = code;
    this.status = status;
  }
}

export class NotFoundError extends SesameError {
  constructor(description: string) {
    super('not_found', description, 404);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends SesameError {
  constructor(description: string) {
    super('conflict', description, 409);
    this.name = 'ConflictError';
  }
}

export class InvalidInputError extends SesameError {
  readonly field?: string;
  constructor(description: string, field?: string) {
    super('invalid_request', description, 400);
    this.name = 'InvalidInputError';
    this.field = field;
  }
}

/** A change refused because the record belongs to a file the operator owns. */
export class ReadOnlyError extends SesameError {
  constructor(description: string) {
    super('read_only', description, 409);
    this.name = 'ReadOnlyError';
  }
}

/** Something Sesame depends on (the user directory) does not answer: try again later. */
export class UnavailableError extends SesameError {
  constructor(description: string) {
    super('temporarily_unavailable', description, 503);
    this.name = 'UnavailableError';
  }
}

/** A request body over the size the endpoint reads (RFC 9110 §15.5.14). */
export class RequestTooLargeError extends SesameError {
  constructor(limit: number) {
    super('invalid_request', `the request body is larger than ${limit} bytes`, 413);
    this.name = 'RequestTooLargeError';
  }
}

// (HPE_INVALID_EOF_STATE: the connection ended in the middle of the request body.)
const ABORTS = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE']);

/**
 * Whether an error only says that the client went away mid-request (closed the connection before
 * its body was sent): nothing is wrong with the server, and there is nobody left to answer.
 */
export function isClientAbort(
  error: unknown,
  req: { destroyed: boolean; socket: { destroyed: boolean } | null },
): boolean {
  const { code, message, cause } = (error ?? {}) as { code?: string; message?: string; cause?: unknown };
  // (oidc-provider wraps the failed body read in an invalid_request error.)
  if (cause !== undefined && cause !== error && isClientAbort(cause, req)) return true;
  return (ABORTS.has(code ?? '') || message === 'aborted') && (req.destroyed || !!req.socket?.destroyed);
}
