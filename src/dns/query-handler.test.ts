import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { fit, QueryHandler } from './query-handler.js';
import { RecordIndex } from './record-index.js';
import { Forwarder } from './upstream.js';
import { ZoneResolver } from './zone-answer.js';

function handler() {
  const index = new RecordIndex(() => new Date(1_700_000_000_000));
  index.set('svc:default/web', [{ name: 'web.default.svc.cluster.local', type: 'A', data: '10.96.0.20' }]);
  return new QueryHandler(new ZoneResolver(index, { zone: 'cluster.local', ttl: 5 }), new Forwarder({ upstreams: [], timeoutMs: 100 }));
}

const ask = async (p: Packet) => decode((await handler().handle(encode(p), { tcp: false }))!) as ReturnType<typeof decode> & { rcode: string };

test('QueryHandler answers FORMERR, NOTIMP, BADVERS and REFUSED where the RFCs call for them', async () => {
  const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]);
  const formerr = decode((await handler().handle(garbage, { tcp: false }))!) as any;
  assert.equal(formerr.id, 0x1234);
  assert.equal(formerr.rcode, 'FORMERR');
  assert.equal(formerr.flag_rd, true);
  const two = await ask({ type: 'query', id: 1, questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
  assert.equal(two.rcode, 'FORMERR');
  const notify = Buffer.from(encode({ type: 'query', id: 2, questions: [{ name: 'cluster.local', type: 'SOA' }] }));
  notify.writeUInt16BE(notify.readUInt16BE(2) | (4 << 11), 2);
  assert.equal((decode((await handler().handle(notify, { tcp: false }))!) as any).rcode, 'NOTIMP');
  const edns1 = await ask({
    type: 'query',
    id: 3,
    questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }],
  });
  const opt = edns1.additionals!.find((a) => a.type === 'OPT') as { extendedRcode: number };
  assert.equal(opt.extendedRcode, 1, 'BADVERS');
  assert.equal((await ask({ type: 'query', id: 4, questions: [{ name: 'cluster.local', type: 'AXFR' }] })).rcode, 'REFUSED');
  // A response is never answered (no reflection loops).
  assert.equal(await handler().handle(encode({ type: 'response', id: 5, questions: [{ name: 'x', type: 'A' }] }), { tcp: false }), undefined);
});

test('QueryHandler answers SERVFAIL outside the zone when it has no upstream', async () => {
  assert.equal((await ask({ type: 'query', id: 1, questions: [{ name: 'example.com', type: 'A' }] })).rcode, 'SERVFAIL');
});

test('fit() drops additional records before answers, and sets TC only when answers are cut', () => {
  const a = (i: number): Answer => ({ name: `host-${i}.example.svc.cluster.local`, type: 'A', class: 'IN', ttl: 5, data: `10.0.0.${i}` });
  const p: Packet = { type: 'response', id: 1, flags: 0, questions: [{ name: 'x.cluster.local', type: 'SRV' }], answers: [a(1)], additionals: Array.from({ length: 20 }, (_, i) => a(i)) };
  const lean = decode(fit(p, 512)) as any;
  assert.equal(lean.flag_tc, false);
  assert.equal(lean.answers.length, 1);
  assert.equal(lean.additionals.length, 0);
  const many: Packet = { ...p, answers: Array.from({ length: 20 }, (_, i) => a(i)), additionals: [] };
  const buf = fit(many, 512);
  const cut = decode(buf) as any;
  assert.ok(buf.length <= 512);
  assert.equal(cut.flag_tc, true);
  assert.ok(cut.answers.length > 0 && cut.answers.length < 20);
  assert.equal((decode(fit(many, 0xffff)) as any).answers.length, 20);
});

test('RecordIndex keeps empty non-terminals while a longer name exists and bumps the serial on change only', () => {
  let now = 1_000_000;
  const index = new RecordIndex(() => new Date(now));
  index.set('slice:a', [{ name: 'web-0.nginx.default.svc.cluster.local', type: 'A', data: '10.0.0.1' }]);
  assert.ok(index.exists('nginx.default.svc.cluster.local'));
  assert.equal(index.lookup('nginx.default.svc.cluster.local'), undefined);
  now = 2_000_000;
  assert.equal(index.set('slice:a', [{ name: 'web-0.nginx.default.svc.cluster.local', type: 'A', data: '10.0.0.1' }]), false);
  assert.equal(index.serial(), 1000);
  index.set('slice:a', [{ name: 'web-0.nginx.default.svc.cluster.local', type: 'A', data: '10.0.0.2' }]);
  assert.equal(index.serial(), 2000);
  index.delete('slice:a');
  assert.equal(index.exists('nginx.default.svc.cluster.local'), false);
  assert.equal(index.exists('web-0.nginx.default.svc.cluster.local'), false);
});
