'use strict';
// xml2json's toJson: the root element is kept as the outer key; an element
// with only text is that text (a string), an empty one is {}, one with
// children or attributes is an object of them (repeated names become
// arrays, text beside children is "$t"). open311@0.0.12 calls
// toJson(body, {object: true}) on the XML answer to POST requests.

const { DOMParser } = require('@xmldom/xmldom');

const ELEMENT = 1;

function convert(el) {
  const kids = Array.from(el.childNodes).filter((n) => n.nodeType === ELEMENT);
  const attrs = Array.from(el.attributes || []);
  const text = Array.from(el.childNodes)
    .filter((n) => n.nodeType === 3 || n.nodeType === 4)
    .map((n) => n.nodeValue)
    .join('');
  if (kids.length === 0 && attrs.length === 0) {
    return text === '' ? {} : text;
  }
  const out = {};
  for (const a of attrs) out[a.name] = a.value;
  for (const k of kids) {
    const v = convert(k);
    if (!Object.prototype.hasOwnProperty.call(out, k.nodeName)) {
      out[k.nodeName] = v;
    } else if (Array.isArray(out[k.nodeName])) {
      out[k.nodeName].push(v);
    } else {
      out[k.nodeName] = [out[k.nodeName], v];
    }
  }
  if (text.trim() !== '') out.$t = text;
  return out;
}

exports.toJson = function toJson(xml, options) {
  const doc = new DOMParser().parseFromString(String(xml), 'text/xml');
  if (!doc.documentElement) {
    throw new Error('xml2json: no root element');
  }
  const obj = { [doc.documentElement.nodeName]: convert(doc.documentElement) };
  return options && options.object ? obj : JSON.stringify(obj);
};
