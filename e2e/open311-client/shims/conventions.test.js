'use strict';
// The two shims against their conventions, on documents that are not
// jiedao's: what xml2json's README shows for toJson, and the Spark
// convention of the Open311 wiki ("JSON and XML Conversion") on GeoReport v2
// example answers. The XML itself is parsed by @xmldom/xmldom, a published
// parser from the npm registry; the shims only map its DOM to each shape.
// So the end-to-end test (open311/client_e2e_test.go) reads jiedao's XML
// with a parser nobody here wrote, mapped by rules checked here.
//
// run: node --test shims/ (scripts/test does, after npm ci)

const test = require('node:test');
const assert = require('node:assert/strict');
const { toJson } = require('./xml2json');
const { parseXml } = require('./sparkxml');

test('xml2json: the README example, as a string and as an object', () => {
  const xml = '<foo attr="value">bar</foo>';
  assert.equal(toJson(xml), '{"foo":{"attr":"value","$t":"bar"}}');
  assert.deepEqual(toJson(xml, { object: true }), { foo: { attr: 'value', $t: 'bar' } });
});

test('xml2json: text-only elements are strings, empty ones {}, repeated names arrays', () => {
  const xml = '<service_requests><request><token>a1</token><service_notice/></request>' +
    '<request><token>b2</token><service_notice/></request></service_requests>';
  assert.deepEqual(toJson(xml, { object: true }), {
    service_requests: { request: [{ token: 'a1', service_notice: {} }, { token: 'b2', service_notice: {} }] },
  });
});

test('xml2json: entities and CDATA are text', () => {
  const obj = toJson('<a><b>x &amp; y</b><c><![CDATA[<p>]]></c></a>', { object: true });
  assert.deepEqual(obj, { a: { b: 'x & y', c: '<p>' } });
});

test('sparkxml: a list of one name is an array (even of one), the root is dropped', () => {
  const xml = '<services><service><service_code>001</service_code><metadata>true</metadata>' +
    '<type>realtime</type><keywords>lorem, ipsum</keywords><group>sanitation</group></service></services>';
  assert.deepEqual(parseXml(xml), [
    { service_code: 1, metadata: true, type: 'realtime', keywords: 'lorem, ipsum', group: 'sanitation' },
  ]);
  assert.deepEqual(parseXml(xml, false), [
    { service_code: '001', metadata: 'true', type: 'realtime', keywords: 'lorem, ipsum', group: 'sanitation' },
  ]);
});

test('sparkxml: nested lists (a service definition\'s attributes and their values)', () => {
  const xml = '<service_definition><service_code>DMV66</service_code><attributes>' +
    '<attribute><variable>true</variable><code>WHISHETN</code><datatype>singlevaluelist</datatype>' +
    '<required>true</required><order>1</order><description>What is the ticket/tag/DL number?</description>' +
    '<values><value><key>123</key><name>Ford</name></value><value><key>124</key><name>Chrysler</name></value></values>' +
    '</attribute></attributes></service_definition>';
  assert.deepEqual(parseXml(xml), {
    service_code: 'DMV66',
    attributes: [{
      variable: true, code: 'WHISHETN', datatype: 'singlevaluelist', required: true, order: 1,
      description: 'What is the ticket/tag/DL number?',
      values: [{ key: 123, name: 'Ford' }, { key: 124, name: 'Chrysler' }],
    }],
  });
});

test('sparkxml: an empty element is null', () => {
  assert.deepEqual(parseXml('<service_requests><request><service_request_id>638344</service_request_id>' +
    '<service_notice/><token/></request></service_requests>'), [
    { service_request_id: 638344, service_notice: null, token: null },
  ]);
});
