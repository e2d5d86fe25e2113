'use strict';
// Drives the open311 npm package (codeforamerica's node-open311), a
// third-party Open311 GeoReport v2 client, through a whole round against a
// running jiedao: discovery, services, a service definition, a submitted
// request, its token, a search and a fetch by id, first in JSON and then in
// XML. It prints what the client returned, as one JSON object, for the Go
// test (open311/client_e2e_test.go) to check.
//
// usage: node client.js BASE_URL API_KEY JURISDICTION_ID LAT LONG

const Open311 = require('open311');

const [base, apiKey, jurisdiction, lat, long] = process.argv.slice(2);
if (!long) {
  console.error('usage: node client.js BASE_URL API_KEY JURISDICTION_ID LAT LONG');
  process.exit(2);
}

// The client calls back (err, data); an error is any truthy err.
function call(what, fn) {
  return new Promise((resolve, reject) => {
    fn((err, data) => {
      if (err) {
        reject(new Error(what + ': ' + err + ' ' + JSON.stringify(data)));
      } else {
        resolve(data);
      }
    });
  });
}

async function round(format) {
  const out = {};
  // Discovery finds the endpoint, as a client that knows only the
  // discovery URL would.
  const finder = new Open311({ discovery: base + '/open311/v2/discovery.' + format });
  out.discovery = await call('discovery', (cb) => finder.serviceDiscovery({ cache: true }, cb));
  out.endpoint = finder.endpoint;

  const client = new Open311({ endpoint: finder.endpoint, jurisdiction, apiKey, format });
  out.services = await call('services', (cb) => client.serviceList(cb));
  out.definition = await call('definition', (cb) => client.serviceDefinition('0102', cb));
  out.submitted = await call('submit', (cb) => client.submitRequest({
    service_code: '0102',
    lat,
    long,
    description: '文一路人行道上堆了砖块（' + format + '）',
    first_name: '小红',
    last_name: '陈',
    phone: '13700001234',
    attributes: { material: 'brick' },
  }, cb));
  const id = out.submitted[0].service_request_id;
  out.token = await call('token', (cb) => client.token(id, cb));
  out.list = await call('list', (cb) => client.serviceRequests({ service_code: '0102', status: 'open' }, cb));
  out.fetched = await call('fetch', (cb) => client.serviceRequest(id, cb));
  return out;
}

// The client throws from inside its HTTP callbacks when a request fails
// outright (no response at all): report that as a failure, not a hang.
process.on('uncaughtException', (err) => {
  console.error('open311 client failed: ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});

(async () => {
  const result = { json: await round('json'), xml: await round('xml') };
  process.stdout.write(JSON.stringify(result) + '\n');
})().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
