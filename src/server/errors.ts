import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { BreakerboxError, ErrorCode, InvalidInputError } from '../errors.ts';

/** The `code` values of API error answers (besides the runtime's own ErrorCode values). */
export const ApiErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
  INTERNAL: 'INTERNAL',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** The body of every error answer. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** An error that maps to one HTTP answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The JSON body of the answer. */
  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

/** A 400 naming the first field at fault in a zod error. */
export function validationError(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  const message = error.issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : 'body'}: ${i.message}`).join('; ');
  return new ApiError(400, ApiErrorCode.VALIDATION, message, field);
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.RESET_NOT_ALLOWED]: 409,
  [ErrorCode.INVALID_TOKEN]: 409,
  [ErrorCode.UNKNOWN_BREAKER]: 400,
  [ErrorCode.RUNTIME_STOPPED]: 503,
  // The store cannot be written or read: the action took effect in memory (fail closed) but is not durable.
  [ErrorCode.STORE_UNAVAILABLE]: 503,
  [ErrorCode.STORE_LOCKED]: 503,
  [ErrorCode.STORE_CORRUPT]: 503,
  [ErrorCode.SCOPED_HALT]: 409,
  [ErrorCode.CLUSTER_UNAVAILABLE]: 503,
};

/** Maps anything thrown by a handler to an ApiError (typed runtime errors keep their code). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidInputError) return new ApiError(400, ApiErrorCode.VALIDATION, error.message, error.field);
  if (error instanceof BreakerboxError) {
    const field = error.code === ErrorCode.INVALID_TOKEN ? 'token' : undefined;
    return new ApiError(STATUS_BY_CODE[error.code] ?? 500, error.code, error.message, field);
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 429) return new ApiError(429, ApiErrorCode.RATE_LIMITED, 'too many requests; slow down and retry later');
    const message = error instanceof Error ? error.message : 'bad request';
    return new ApiError(status, status === 404 ? ApiErrorCode.NOT_FOUND : ApiErrorCode.VALIDATION, message, status === 400 ? 'body' : undefined);
  }
  return new ApiError(500, ApiErrorCode.INTERNAL, 'internal error (see the server log)');
}

/** Sends an ApiError. */
export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody());
}
