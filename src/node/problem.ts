/**
 * RFC 9457 problem documents: the one shape of every HTTP error a node sends, carrying a stable
 * code from the registry (src/core/errors.ts, docs/errors.md).
 */
import type { FastifyError, FastifyReply } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import type { Problem } from '../core/api/types.js';

/** Builds a problem document for an error code. */
export function problem(code: ErrorCode, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `https://urbis.city/errors/${code}`,
    title: ERROR_CODES[code].description,
    status: ERROR_CODES[code].status,
    detail,
    code,
    ...extra,
  };
}

/** Sends a problem document; 503 answers carry Retry-After. */
export function sendProblem(reply: FastifyReply, p: Problem, retryAfterMs?: number): FastifyReply {
  if (p.status === 503 || p.status === 429) reply.header('retry-after', String(Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000))));
  reply.header('cache-control', 'no-store');
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** The registry code of one of fastify's own errors (validation, body, media type, …). */
export function fromFastifyError(e: FastifyError): { code: ErrorCode; detail: string } {
  if (e.validation) return { code: 'HTTP_BAD_REQUEST', detail: `${e.validationContext ?? 'request'} ${e.message}` };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'HTTP_BODY_TOO_LARGE', detail: e.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'HTTP_UNSUPPORTED_MEDIA', detail: e.message };
  }
  if (e.statusCode === 429) return { code: 'HTTP_RATE_LIMITED', detail: e.message };
  if (e.statusCode === 405) return { code: 'HTTP_METHOD_NOT_ALLOWED', detail: e.message };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { code: 'HTTP_BAD_REQUEST', detail: e.message };
  return { code: 'INTERNAL', detail: 'internal error' };
}
