// An outside verifier of an eLearn ASN Open Badges VC-JWT, written only from the public
// specifications and docs/credentials.md, with the `jose` library:
//   node verify-jose.mjs <token file> <trusted base URL>
// Prints one JSON line {"status": "valid" | "revoked", ...} and exits 0, or prints the
// reason and exits 1 when the credential or its status list does not verify.
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";

const [tokenFile, trusted] = process.argv.slice(2);
const fail = (reason) => {
  console.log(JSON.stringify({ status: "invalid", reason }));
  process.exit(1);
};

async function fetchJson(url, accept) {
  const response = await fetch(url, { headers: { accept } });
  if (!response.ok) fail(`${url} answered ${response.status}`);
  return response;
}

// The issuer a key belongs to, from its URL: an instansi's keys are <issuer id>/keys/<kid>,
// the platform's /certificates/keys/<kid> (issuer /certificates/issuer).
function issuerOfKey(kid) {
  if (kid.startsWith(`${trusted}/certificates/keys/`)) return `${trusted}/certificates/issuer`;
  const found = kid.match(/^(.*\/issuers\/[^/]+)\/keys\/[^/]+$/);
  if (found && found[1].startsWith(`${trusted}/issuers/`)) return found[1];
  return null;
}

// Verify a VC-JWT from its issuer's published key: the kid must be under the trusted
// deployment, and the token's issuer the one that key belongs to.
async function verifyVcJwt(token) {
  const { alg, kid } = decodeProtectedHeader(token);
  if (alg !== "EdDSA") fail(`algorithm ${alg} refused`);
  const issuer = typeof kid === "string" ? issuerOfKey(kid) : null;
  if (!issuer) fail(`kid ${kid} is not a key of ${trusted}`);
  const jwk = await (await fetchJson(kid, "application/json")).json();
  const key = await importJWK(jwk, "EdDSA");
  const { payload } = await jwtVerify(token, key, {
    algorithms: ["EdDSA"],
    issuer,
    requiredClaims: ["iss", "jti", "nbf", "sub"],
  });
  if (payload.jti !== payload.id || payload.iss !== payload.issuer.id) fail("claims differ");
  return payload;
}

try {
  const credential = await verifyVcJwt((await readFile(tokenFile, "utf8")).trim());
  const entry = credential.credentialStatus;
  if (!entry || entry.type !== "BitstringStatusListEntry") fail("no BitstringStatusListEntry");
  if (entry.statusPurpose !== "revocation") fail(`purpose ${entry.statusPurpose}`);
  if (!entry.statusListCredential.startsWith(`${trusted}/`)) fail("status list of another host");

  const listResponse = await fetchJson(entry.statusListCredential, "application/vc+jwt");
  const cacheControl = listResponse.headers.get("cache-control");
  const etag = listResponse.headers.get("etag");
  const list = await verifyVcJwt((await listResponse.text()).trim());
  if (!list.type.includes("BitstringStatusListCredential")) fail("not a status list");
  if (list.id !== entry.statusListCredential) fail("the list is not the one named");
  const subject = list.credentialSubject;
  if (subject.statusPurpose !== entry.statusPurpose) fail("purpose differs");
  if (!subject.encodedList.startsWith("u")) fail("encodedList is not multibase base64url");
  const bits = gunzipSync(Buffer.from(subject.encodedList.slice(1), "base64url"));
  if (bits.length * 8 < 131072) fail(`list of ${bits.length * 8} bits, below the minimum`);
  const index = Number.parseInt(entry.statusListIndex, 10);
  if (!(index >= 0 && index < bits.length * 8)) fail(`index ${entry.statusListIndex} outside`);
  const revoked = (bits[index >> 3] >> (7 - (index & 7))) & 1;
  console.log(
    JSON.stringify({
      status: revoked ? "revoked" : "valid",
      id: credential.id,
      issuer: credential.issuer.id,
      issuerName: credential.issuer.name,
      kid: decodeProtectedHeader((await readFile(tokenFile, "utf8")).trim()).kid,
      index,
      listBits: bits.length * 8,
      cacheControl,
      etag,
    }),
  );
} catch (error) {
  fail(`${error.code ?? error.name}: ${error.message}`);
}
