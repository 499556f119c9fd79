// Create-only virtual resources that are computed, never stored (authorization reviews).

import { methodNotSupported } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import { jsonResponse } from '../request.js';
import type { HandlerContext } from './context.js';
import { decodeBody } from './body.js';
import { gr } from '../registry/resource-store.js';
import { reviewSelfSubjectAccess } from '../../api/authorization/self-subject-access-review.js';

export function serveVirtual(ctx: HandlerContext): ApiResponse {
  if (ctx.req.method !== 'POST' || ctx.name || ctx.subresource) throw methodNotSupported(gr(ctx.def), ctx.req.method.toLowerCase());
  const { obj } = decodeBody(ctx);
  if (ctx.def.kind === 'SelfSubjectAccessReview') {
    return jsonResponse(201, JSON.stringify(reviewSelfSubjectAccess(obj)));
  }
  throw methodNotSupported(gr(ctx.def), 'create');
}
