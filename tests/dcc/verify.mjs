// Verify one credential file with the Digital Credentials Consortium's verifier-core,
// offline, and print its result as JSON on stdout.
//
//   node verify.mjs credential.jsonld [--schema schema.json] [--serve URL=FILE ...]
//
// verifier-core resolves did:key and our contexts (VC 2.0, OB 3.0.3) from the copies it
// bundles. Every network request is refused (fetch, http, https), so a verification that
// needed the network fails instead of quietly going online, and is listed in
// "networkAttempts". Two answers can be given from files instead: --schema for the OB 3.0
// JSON schema URL verifier-core asks for (its schema step), and --serve for a document such
// as a status list credential (its revocation step).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const args = process.argv.slice(2);
const file = args.shift();
let schemaDocument = null;
const served = new Map();
while (args.length) {
  const option = args.shift();
  const value = args.shift() ?? '';
  if (option === '--schema') {
    schemaDocument = JSON.parse(fs.readFileSync(value, 'utf8'));
  } else if (option === '--serve' && value.includes('=')) {
    const at = value.indexOf('=');
    served.set(value.slice(0, at), fs.readFileSync(value.slice(at + 1), 'utf8'));
  } else {
    console.error(`unknown argument ${option}`);
    process.exit(2);
  }
}
if (!file) {
  console.error('usage: node verify.mjs credential.jsonld [--schema FILE] [--serve URL=FILE ...]');
  process.exit(2);
}
const attempts = [];

globalThis.fetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  if (schemaDocument && url.includes('/spec/ob/v3p0/schema/json/')) {
    return new Response(JSON.stringify({ ...schemaDocument, $id: url }), {
      headers: { 'content-type': 'application/json' }
    });
  }
  if (served.has(url)) {
    return new Response(served.get(url), { headers: { 'content-type': 'application/json' } });
  }
  attempts.push(url);
  throw new TypeError(`network blocked: ${url}`);
};
for (const module of [http, https]) {
  for (const name of ['request', 'get']) {
    module[name] = (...args) => {
      attempts.push(String(args[0]?.href ?? args[0]?.host ?? args[0]));
      throw new Error('network blocked');
    };
  }
}

// Imported after the network is blocked: its loaders capture fetch when they load.
const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const credential = JSON.parse(fs.readFileSync(file, 'utf8'));
const result = await verifyCredential({ credential, knownDIDRegistries: [] });
const errors = (result.errors ?? []).map(({ name, message }) => ({ name, message }));
const log = (result.log ?? []).map((step) => ({
  id: step.id, valid: step.valid, ...(step.error ? { error: step.error } : {})
}));
// The schema step, when it ran: one result per schema it chose.
const schema = (result.additionalInformation ?? [])
  .filter((entry) => entry.id === 'schema_check')
  .flatMap((entry) => (Array.isArray(entry.results) ? entry.results : []))
  .map(({ schema: url, result: { valid, errors: found } }) => ({ url, valid, errors: found ?? [] }));
// No DID registry is consulted offline, so "registered_issuer" is always false here.
// Every other step must say valid: a status step that could not run (an error) fails too.
const verified = errors.length === 0 &&
  log.every((step) => step.valid === true || step.id === 'registered_issuer');
console.log(JSON.stringify({ verified, errors, log, schema, networkAttempts: attempts }, null, 2));
