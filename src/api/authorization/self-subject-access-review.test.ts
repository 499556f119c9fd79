import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody, isApiError } from '../errors.js';
import type { FieldError } from '../errors.js';
import {
  ALLOW_ALL_REASON,
  reviewSelfSubjectAccess,
  selfSubjectAccessReviewResource,
  validateSelfSubjectAccessReview,
} from './self-subject-access-review.js';
import type { SelfSubjectAccessReviewObject } from './self-subject-access-review.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

/** What `kubectl auth can-i list pods` sends. */
function review(spec: SelfSubjectAccessReviewObject['spec']): SelfSubjectAccessReviewObject {
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null as unknown as undefined },
    spec,
    status: { allowed: false },
  };
}

test('reviewSelfSubjectAccess() allows a resource review and says why', () => {
  const input = review({ resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } });
  const out = reviewSelfSubjectAccess(input);
  assert.deepEqual(out.status, { allowed: true, reason: ALLOW_ALL_REASON });
  assert.deepEqual(out.spec, input.spec);
  assert.equal(out.kind, 'SelfSubjectAccessReview');
  assert.deepEqual(input.status, { allowed: false }, 'input is not modified');
});

test('reviewSelfSubjectAccess() allows a non-resource review', () => {
  const out = reviewSelfSubjectAccess(review({ nonResourceAttributes: { path: '/healthz', verb: 'get' } }), { reason: '' });
  assert.deepEqual(out.status, { allowed: true });
});

test('validateSelfSubjectAccessReview() requires resourceAttributes or nonResourceAttributes', () => {
  assert.deepEqual(texts(validateSelfSubjectAccessReview(review({}))), [
    'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  ]);
});

test('validateSelfSubjectAccessReview() rejects both kinds of attributes', () => {
  const errs = validateSelfSubjectAccessReview(review({ resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/', verb: 'get' } }));
  assert.deepEqual(texts(errs), [
    'spec.nonResourceAttributes: Invalid value: {"path":"/","verb":"get"}: cannot be specified in combination with resourceAttributes',
  ]);
});

test('validateSelfSubjectAccessReview() requires empty metadata', () => {
  const r = review({ resourceAttributes: { verb: 'get' } });
  r.metadata = { name: 'x' };
  assert.deepEqual(validateSelfSubjectAccessReview(r).map((e) => `${e.field}: ${e.detail}`), ['metadata: must be empty']);
  r.metadata = { managedFields: [{ manager: 'kubectl' }], labels: {} };
  assert.deepEqual(validateSelfSubjectAccessReview(r), []);
});

test('validateSelfSubjectAccessReview() checks selector attributes', () => {
  const errs = validateSelfSubjectAccessReview(
    review({
      resourceAttributes: {
        verb: 'list',
        resource: 'pods',
        fieldSelector: {},
        labelSelector: { rawSelector: 'a=b', requirements: [{ key: 'a', operator: 'In', values: [] }, { key: 'b', operator: 'Newer' }] },
      },
    }),
  );
  assert.deepEqual(texts(errs), [
    'spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required',
    'spec.resourceAttributes.labelSelector.rawSelector: Invalid value: "a=b": may not specified at the same time as requirements',
    "spec.resourceAttributes.labelSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
});

test('reviewSelfSubjectAccess() throws a 422 Invalid named ""', () => {
  assert.throws(
    () => reviewSelfSubjectAccess(review({})),
    (e: unknown) =>
      isApiError(e) &&
      e.code === 422 &&
      e.message ===
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  );
});

test('selfSubjectAccessReviewResource discovery facts match a v1.32 server', () => {
  const r = selfSubjectAccessReviewResource;
  assert.deepEqual([r.group, r.version, r.kind, r.plural, r.singular, r.namespaced], [
    'authorization.k8s.io',
    'v1',
    'SelfSubjectAccessReview',
    'selfsubjectaccessreviews',
    'selfsubjectaccessreview',
    false,
  ]);
  assert.deepEqual(r.verbs, ['create']);
});
