// Independent check of a Sigstore bundle (public-key flavour, DSSE envelope) with the Sigstore project's own JS
// verifier, fully offline: the trust material is built from the given public key alone (no TUF root, no Rekor, no
// Fulcio), and the transparency-log, CT-log and timestamp thresholds are 0.
//
// usage: node verify-bundle.cjs <node_modules parent folder> <bundle.json> <public-key.pem>
// exit:  0 verified (prints one JSON line), 1 refused (prints the verifier's error), 2 usage or setup error.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const [modules, bundlePath, keyPath] = process.argv.slice(2);
if (!modules || !bundlePath || !keyPath) {
  console.error('usage: node verify-bundle.cjs <modules folder> <bundle.json> <public-key.pem>');
  process.exit(2);
}

let sigstoreBundle, sigstoreVerify, specs;
try {
  const from = (name) => require(require.resolve(name, { paths: [modules] }));
  sigstoreBundle = from('@sigstore/bundle');
  sigstoreVerify = from('@sigstore/verify');
  specs = from('@sigstore/protobuf-specs');
} catch (e) {
  console.error(`@sigstore packages not found under ${modules}: ${e.message}`);
  process.exit(2);
}

try {
  const key = crypto.createPublicKey(fs.readFileSync(keyPath, 'utf8'));
  // The hint model_signing writes: SHA-256 (hex) of the key's SubjectPublicKeyInfo PEM, computed here by Node itself.
  const pem = key.export({ type: 'spki', format: 'pem' });
  const hint = crypto.createHash('sha256').update(pem).digest('hex');
  const trustedRoot = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
  const keys = {
    [hint]: { rawBytes: key.export({ type: 'spki', format: 'der' }), keyDetails: specs.PublicKeyDetails.PKIX_ECDSA_P256_SHA_256 },
  };
  const trust = sigstoreVerify.toTrustMaterial(trustedRoot, keys);
  const verifier = new sigstoreVerify.Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });

  const bundle = sigstoreBundle.bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  if (bundle.content.$case !== 'dsseEnvelope') throw new Error(`expected a DSSE envelope, got ${bundle.content.$case}`);
  verifier.verify(sigstoreVerify.toSignedEntity(bundle));

  const envelope = bundle.content.dsseEnvelope;
  const statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
  console.log(JSON.stringify({
    verified: true,
    mediaType: bundle.mediaType,
    keyHint: hint,
    payloadType: envelope.payloadType,
    statementType: statement._type,
    predicateType: statement.predicateType,
    subject: statement.subject,
    resources: (statement.predicate?.resources ?? []).length,
  }));
} catch (e) {
  console.error(`refused: ${e.name}${e.code ? ` [${e.code}]` : ''}: ${e.message}`);
  process.exit(1);
}
