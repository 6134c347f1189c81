// Package resolver resolves a Lambda function's environment at cold start:
// literals from the function's configuration, secrets from SSM Parameter
// Store and AWS Secrets Manager. A handler imports its generated env package
// (env.Load, MustLoad, New, Refresh, Override) and this package for what
// those return and take: the Loader, its options (WithClient,
// WithAWSConfig, WithClock), the errors of Load, the Lambda values of an
// Env, and Secret, the type of a secret's field (Reveal, NewSecret). What
// generated code alone uses lives in package
// resolver/gensupport. It never imports jsii or aws-cdk-go, and
// it builds its SSM client with ssm.New and static options rather than
// config.LoadDefaultConfig, which would add about 2.5 MB to every handler.
//
// # Environment variables
//
// The construct sets, for a function with secrets (see package
// github.com/fnenv/fnenv/model, the wire format):
//
//   - FNENV_SECRETS: "VAR=SECRET" pairs separated by ',' — which secret each
//     secret variable holds. Parameter names only, never a value.
//   - FNENV_BRANCH_PREFIX: "/amplify/<appId>/<branch>/", where the branch's
//     secrets live.
//   - FNENV_SHARED_PREFIX: "/amplify/shared/<appId>/", where the app's shared
//     secrets live.
//   - FNENV_MAX_AGE: how long resolved values are reused, a Go duration
//     ("5m0s"); "0s", or unset, means for the life of the execution
//     environment.
//   - FNENV_SECRETSMANAGER: for a function with Secrets Manager references,
//     "VAR+VAR=ID" entries separated by ',' — the variables reading each
//     secret and its id (complete ARN or name). Ids only, never a value.
//
// The SSM client reads the variables Lambda sets: AWS_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and, outside
// Lambda only, the endpoint from AWS_ENDPOINT_URL_SSM, else
// AWS_ENDPOINT_URL (for a local endpoint), and the proxy and CA variables;
// in Lambda (LAMBDA_TASK_ROOT set) the endpoint, proxy (HTTPS_PROXY…) and
// CA (SSL_CERT_FILE, SSL_CERT_DIR) variables are ignored, so that no
// configuration steers secret reads, see NewClient. WithClient and
// WithAWSConfig replace it.
//
// # Resolution
//
// A Loader resolves every secret in one round: the branch and the shared
// parameter name of every secret are requested together with GetParameters
// and decryption, in chunks of 10 names (SSM's limit per GetParameters
// call), all chunks in parallel. A secret held by two variables is fetched
// once. When both parameters exist, the branch value wins.
//
// Existing parameters (a secret by full path or ARN, function.Parameter)
// and the literals the construct moved out of Lambda's 4 KB environment
// (FNENV_LITERALS) are requested in the same round: paths and the moved
// literals' parameters in the function's region, each ARN in the region it
// names, with one SSM client per region, built on first use and kept; a
// region that fails is named in the error. A function.Parameter that turns
// out to be a SecureString is refused (SecureStringParameterError); a
// missing one is listed (MissingParametersError).
//
// Secrets Manager references (generated code links package
// resolver/smfetch, and so the SDK's Secrets Manager client, only for a
// function that has them) are read in the same round: each secret with its
// own GetSecretValue (AWSCURRENT), in the region its ARN names — Secrets Manager allows 10,000 of those
// a second per account and region, where BatchGetSecretValue allows 100
// and cannot be granted on single secrets — all in parallel with the SSM
// chunks and retried with them, each secret once however many variables or
// JSON fields read it. A field's value is a JSON string's content, or the JSON
// text of a number, bool, object or array.
//
// Throttling and other retryable errors are retried until the context's
// deadline (a context without one gets DefaultTimeout), without the SDK's
// client-side retry quota. Many cold starts share SSM's default throughput
// (40 transactions per second for GetParameter, GetParameters and
// GetParametersByPath per account and region), so a throttle means it is
// spent and the policy spends as few requests as it can: while no request
// of the round is answered, only the first one retries, after a random wait
// of up to 2.5 s per request of the round, doubling to at most 16 s; once
// one is answered, the others are sent and retried within 250 ms doubling
// to 2 s, so that admitted requests complete cold starts. No wait passes
// the deadline. In the burst benchmark (docs/benchmarks.md) this resolves
// about as many cold starts within Lambda's 10 s init as the throughput
// allows, with under 3 requests sent per admitted one. When SSM throttles
// until the deadline, the *RequestError says so and names the setting that
// raises the throughput.
//
// Load fails — and returns no Env at all — when anything is wrong, with one
// error that joins (errors.Join) every problem found:
//   - *MissingSecretsError: secrets set neither on the branch nor shared,
//     each with both paths tried and the `fnenv secret set` command that
//     sets it;
//   - *StaleError: the function's FNENV_SECRETS does not configure what the
//     env package expects, or a literal is absent from the environment: the
//     function was deployed with another version of its env package;
//   - an SSM error (AccessDeniedException…) naming the parameters and
//     secrets of the failed request;
//   - *SecretsManagerError: Secrets Manager references that could not be
//     read — a missing secret, a missing JSON field, a SecretString that is
//     not JSON though a field is read — each with its variable, secret and
//     field; *SecretsManagerRequestError: a failed GetSecretValue request
//     (access denied, throttled until the deadline…);
//   - *InvalidValuesError: values that do not parse as their variable's
//     type (package envtype), each named with its type.
//
// No error ever holds a value.
//
// # Types
//
// Each value is parsed as its variable's type with the parsers of package
// envtype — the same ones the construct applies to literals at synth.
//
// # Printing
//
// A secret's field is a Secret, which prints its mask — never the value —
// in every fmt verb, in log/slog and in JSON, whatever holds it (see
// Secret); Reveal returns the value. Literals print as they are.
//
// # Refresh and Override
//
// Loader.Refresh reads every secret now, replacing the cache only on
// success; calls within MinRefreshInterval share one round. Loader.Override
// makes Load and Refresh return a given value, reading nothing, until the
// returned restore is called: for unit tests of a handler.
//
// # Caching
//
// Later calls to Load return the same *Env, without calling SSM, until the
// max age has passed; the next Load after that refreshes it. There is no
// background goroutine or timer: the check is an atomic load and a
// monotonic clock comparison. Concurrent Loads of a cold or expired Loader
// share one fetch. A failed refresh returns its error and keeps no value,
// so that the next Load tries again.
//
// # Outside Lambda: dotenv
//
// When AWS_LAMBDA_FUNCTION_NAME is unset (not in Lambda) and FNENV_DOTENV
// names a file, Load makes no SSM call: each variable, literal or secret,
// is read by its variable name (API_KEY, not the secret's name) from the
// process environment if set there, else from the file, in the dotenv
// syntax of github.com/joho/godotenv (KEY=value lines, # comments, quotes,
// `export` prefixes). A variable found in neither fails Load. In Lambda,
// FNENV_DOTENV is ignored. A binary built with -tags lambda.norpc (the
// function construct's build) has no dotenv reader, so that production
// handlers link neither godotenv nor os/exec: there FNENV_DOTENV fails Load
// with an error saying so.
//
// Outside Lambda without FNENV_DOTENV, Load resolves from SSM as in Lambda
// when the FNENV_* variables are set (for example against a local endpoint
// named by AWS_ENDPOINT_URL).
package resolver
