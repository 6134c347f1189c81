// Computes Amplify Gen 2's parameter paths for the cases on stdin, with
// Node's own crypto and string functions, as a check on identity's Go code
// independent of it. The rules are copied from aws-amplify/amplify-backend
// (packages/platform-core/src/backend_identifier_conversions.ts and
// parameter_path_conversions.ts at 014303a5bf822cf11e06fb6f16c4819ea373c86c):
// toStackName, then fromStackName, then "/amplify/<namespace>/<name>-<type>-<hash>".
//
// stdin: [{"appId": "...", "branch": "..."}, ...]
// stdout: [{"appId", "branch", "branchPath", "sharedPath"}, ...] (NAME = "SECRET")
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const STACK_NAME_LENGTH_LIMIT = 128;
const AMPLIFY_PREFIX = 'amplify';
const HASH_LENGTH = 10;
const NUM_DASHES = 4;

const sanitizeChars = (str) => str.replace(/[^A-Za-z0-9]/g, '');

const getHash = (id) =>
  id.hash ?? createHash('sha512').update(id.namespace).update(id.name).digest('hex').slice(0, HASH_LENGTH);

const toStackName = (id) => {
  const hash = getHash(id);
  const name = sanitizeChars(id.name).slice(0, 50);
  const namespaceMaxLength =
    STACK_NAME_LENGTH_LIMIT - AMPLIFY_PREFIX.length - id.type.length - name.length - NUM_DASHES - HASH_LENGTH;
  const namespace = sanitizeChars(id.namespace).slice(0, namespaceMaxLength - 1);
  return ['amplify', namespace, name, id.type, hash].join('-');
};

const fromStackName = (stackName) => {
  const parts = stackName.split('-');
  if (parts.length !== 5) throw new Error(`ambiguous stack name ${stackName}`);
  const [, namespace, name, type, hash] = parts;
  return { namespace, name, type, hash };
};

const cases = JSON.parse(readFileSync(0, 'utf8'));
const out = cases.map(({ appId, branch }) => {
  const id = fromStackName(toStackName({ namespace: appId, name: branch, type: 'branch' }));
  return {
    appId,
    branch,
    branchPath: `/amplify/${id.namespace}/${id.name}-${id.type}-${id.hash}/SECRET`,
    sharedPath: `/amplify/shared/${appId}/SECRET`,
  };
});
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
