/**
 * Limits every JSON body meets before any route (and so before Temporal) sees it: UTF-8 only
 * (no replacement characters slipped in), at most 256 KB (the Camunda API under /v2: 4 MB), at most MAX_DEPTH levels of nesting
 * (a body nested thousands deep fits in 256 KB and overflows recursive code downstream).
 */
import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { ApiError } from './api-error';
import { INVALID_UTF8 } from './error-handler';

export const BODY_LIMIT = '256kb';
export const MAX_DEPTH = 32;

/** express.json, strict (objects and arrays only), refusing bodies that are not valid UTF-8. */
export function jsonBody(limit: string = BODY_LIMIT): RequestHandler {
  return express.json({
    limit,
    strict: true,
    verify: (_req, _res, buffer, encoding) => {
      if (encoding !== 'utf-8' && encoding !== 'utf8')
        throw Object.assign(new Error('JSON bodies must be UTF-8'), { type: 'charset.unsupported', status: 415 });
      if (!isUtf8(buffer)) throw Object.assign(new Error('The body is not valid UTF-8'), { type: INVALID_UTF8 });
    },
  });
}

/** The path of the first value nested deeper than `max`, or null; iterative, so any depth is safe. */
export function tooDeep(value: unknown, max: number): string[] | null {
  interface Frame {
    value: unknown;
    depth: number;
    key: string;
    parent: Frame | null;
  }
  const stack: Frame[] = [{ value, depth: 0, key: '', parent: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.value === null || typeof frame.value !== 'object') continue;
    if (frame.depth >= max) {
      const path: string[] = [];
      for (let f: Frame | null = frame; f && f.parent; f = f.parent) path.unshift(f.key);
      return path;
    }
    for (const [key, child] of Object.entries(frame.value))
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
  }
  return null;
}

/** 400 naming where a body nests deeper than MAX_DEPTH levels. */
export const limitNesting: RequestHandler = (req, _res, next) => {
  const path = tooDeep(req.body, MAX_DEPTH);
  if (!path) return next();
  const shown = path.length > 4 ? [...path.slice(0, 4), '…'] : path;
  const field = ['body', ...shown].join('.');
  next(
    ApiError.badRequest(`The request body nests deeper than ${MAX_DEPTH} levels`, [
      { field, message: `nests deeper than ${MAX_DEPTH} levels` },
    ]),
  );
};
