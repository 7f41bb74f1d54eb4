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

/**
 * The request path for a problem's `instance`, or undefined when it cannot be shown safely (a URL
 * fastify refused; attacker-controlled text is never echoed beyond 200 characters).
 */
export function instanceOf(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  try {
    decodeURIComponent(path);
  } catch {
    return undefined;
  }
  return path.length > 200 ? undefined : path;
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
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'HTTP_UNSUPPORTED_MEDIA' : 'HTTP_BAD_REQUEST', detail: e.message };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'HTTP_JSON_INVALID', detail: e.message };
    case 'FST_ERR_BAD_URL':
      return { code: 'HTTP_URL_INVALID', detail: 'the request URL is malformed' };
  }
  if (e instanceof SyntaxError) return { code: 'HTTP_JSON_INVALID', detail: 'the request body is not well-formed JSON' };
  if (e.statusCode === 429) return { code: 'HTTP_RATE_LIMITED', detail: e.message };
  if (e.statusCode === 405) return { code: 'HTTP_METHOD_NOT_ALLOWED', detail: e.message };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { code: 'HTTP_BAD_REQUEST', detail: e.message };
  return { code: 'INTERNAL', detail: 'internal error' };
}
