// Mints the reference tokens in tokens.json with twilio-node's AccessToken.
// Run from a directory outside the repository where `npm install twilio`
// was done (NODE_PATH=/that/dir/node_modules node mint.js > tokens.json).
// The secret is a test value, not a credential.
const twilio = require("twilio");
const AccessToken = twilio.jwt.AccessToken;
const ChatGrant = AccessToken.ChatGrant;

const accountSid = "AC0123456789abcdef0123456789abcdef";
const keySid = "SKfedcba9876543210fedcba9876543210";
const secret = "s3cr3t-api-key-secret-value-0123";
const serviceSid = "IS00112233445566778899aabbccddeeff";

function decode(jwt) {
  const [h, p] = jwt.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString()),
    payload: JSON.parse(Buffer.from(p, "base64url").toString()),
  };
}

function mint(name, identity, grantOpts, opts) {
  const token = new AccessToken(accountSid, keySid, secret, Object.assign({ identity, ttl: 3600 }, opts));
  token.addGrant(new ChatGrant(grantOpts));
  const jwt = token.toJwt();
  return Object.assign({ name, jwt }, decode(jwt));
}

const now = Math.floor(Date.now() / 1000);
const out = {
  produced_by: "twilio-node " + require("twilio/package.json").version + ", jsonwebtoken " +
    require("jsonwebtoken/package.json").version + ", node " + process.version,
  tokens: [
    mint("minimal", "alice", { serviceSid }, {}),
    mint("minimal with nbf", "alice", { serviceSid }, { nbf: now }),
    mint("full grant", "alice@example.com", {
      serviceSid,
      endpointId: "chat-app:alice:browser-1",
      pushCredentialSid: "CRffeeddccbbaa99887766554433221100",
      deploymentRoleSid: "RL0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    }, { nbf: now }),
    mint("region", "alice", { serviceSid }, { nbf: now, region: "ie1" }),
  ],
};
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
