'use strict';
// The Spark convention (wiki.open311.org, "JSON and XML Conversion"): the
// root element is dropped; an element whose children are all of one name
// is an array of them, even when there is only one; other elements with
// children are objects keyed by child name; an element with no content is
// null; text is typed (numbers and booleans) unless parseTypes is false.
// open311@0.0.12 calls parseXml(body) on every XML answer.

const { DOMParser } = require('@xmldom/xmldom');

const ELEMENT = 1;

function children(el) {
  return Array.from(el.childNodes).filter((n) => n.nodeType === ELEMENT);
}

function typed(text) {
  const t = text.trim();
  if (t !== '' && !Number.isNaN(Number(t))) {
    return Number(t);
  }
  if (t.toLowerCase() === 'true') return true;
  if (t.toLowerCase() === 'false') return false;
  return text;
}

function convert(el, parseTypes) {
  const kids = children(el);
  if (kids.length === 0) {
    if (el.childNodes.length === 0) return null;
    return parseTypes ? typed(el.textContent) : el.textContent;
  }
  const names = new Set(kids.map((k) => k.nodeName));
  if (kids.length === 1 || names.size === 1) {
    return kids.map((k) => convert(k, parseTypes));
  }
  const out = {};
  for (const k of kids) {
    if (Object.prototype.hasOwnProperty.call(out, k.nodeName)) {
      // A repeated name among others: the convention has no object for
      // that, so the values become a list, in order.
      return kids.map((c) => convert(c, parseTypes));
    }
    out[k.nodeName] = convert(k, parseTypes);
  }
  return out;
}

exports.parseXml = function parseXml(xml, parseTypes) {
  const doc = new DOMParser().parseFromString(String(xml), 'text/xml');
  if (!doc.documentElement) {
    throw new Error('sparkxml: no root element');
  }
  return convert(doc.documentElement, parseTypes !== false);
};
