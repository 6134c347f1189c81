// Package credlit recognizes values that look like credentials — an API
// key, an access token, a private key — so that the construct can warn
// when one is given as a literal (which lands in plain text in the
// template and the function's configuration) rather than as a secret.
//
// The rule set follows gitleaks' default configuration (config/gitleaks.toml
// of github.com/gitleaks/gitleaks v8.30.1, MIT licensed): the same rule ids,
// for the credentials a Lambda function's environment most often holds.
// The patterns are written here, from each vendor's published token
// format, rather than imported: gitleaks is not importable as a small Go
// library (its detector brings its whole configuration and CLI
// dependencies into every CDK app), and fnenv matches one value, not a
// file, so it needs no keyword or entropy prefilter. A rule matches a
// distinctive prefix and length only, so that a false positive is rare;
// when one happens, the warning is acknowledged (see package function).
package credlit

import "regexp"

// Rule is one kind of credential.
type Rule struct {
	// ID is gitleaks' rule id, e.g. "stripe-access-token".
	ID string
	// Name says what the value looks like, e.g. "a Stripe secret or
	// restricted key".
	Name string
	re   *regexp.Regexp
	// allow, when set, exempts a match (e.g. AWS's documented example key).
	allow *regexp.Regexp
}

// end is the end of a token: a character that cannot continue it, or the
// end of the value.
const end = `(?:[^A-Za-z0-9_-]|$)`

// Rules are the rules Match applies, in this order.
var Rules = []Rule{
	{ID: "aws-access-token", Name: "an AWS access key id",
		re: regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`), allow: regexp.MustCompile(`EXAMPLE$`)},
	{ID: "stripe-access-token", Name: "a Stripe secret or restricted key",
		re: regexp.MustCompile(`\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}` + end)},
	{ID: "github-pat", Name: "a GitHub personal access token",
		re: regexp.MustCompile(`\bghp_[A-Za-z0-9]{36}\b`)},
	{ID: "github-fine-grained-pat", Name: "a GitHub fine-grained personal access token",
		re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{82}\b`)},
	{ID: "github-oauth", Name: "a GitHub OAuth access token",
		re: regexp.MustCompile(`\bgho_[A-Za-z0-9]{36}\b`)},
	{ID: "github-app-token", Name: "a GitHub App token",
		re: regexp.MustCompile(`\bgh[us]_[A-Za-z0-9]{36}\b`)},
	{ID: "github-refresh-token", Name: "a GitHub refresh token",
		re: regexp.MustCompile(`\bghr_[A-Za-z0-9]{36}\b`)},
	{ID: "gitlab-pat", Name: "a GitLab personal access token",
		re: regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`)},
	{ID: "slack-bot-token", Name: "a Slack bot token",
		re: regexp.MustCompile(`\bxoxb-[0-9]{8,13}-[A-Za-z0-9-]{8,}`)},
	{ID: "slack-user-token", Name: "a Slack user token",
		re: regexp.MustCompile(`\bxox[pe]-[0-9]{8,13}-[0-9]{8,13}-[A-Za-z0-9-]{8,}`)},
	{ID: "slack-app-token", Name: "a Slack app-level token",
		re: regexp.MustCompile(`(?i)\bxapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+`)},
	{ID: "slack-webhook-url", Name: "a Slack incoming webhook URL",
		re: regexp.MustCompile(`hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{40,}`)},
	{ID: "private-key", Name: "a PEM private key",
		re: regexp.MustCompile(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)},
	{ID: "gcp-api-key", Name: "a Google API key",
		re: regexp.MustCompile(`\bAIza[A-Za-z0-9_-]{35}` + end)},
	{ID: "openai-api-key", Name: "an OpenAI API key",
		re: regexp.MustCompile(`\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}`)},
	{ID: "anthropic-api-key", Name: "an Anthropic API key",
		re: regexp.MustCompile(`\bsk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,}`)},
	{ID: "npm-access-token", Name: "an npm access token",
		re: regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
	{ID: "sendgrid-api-token", Name: "a SendGrid API key",
		re: regexp.MustCompile(`\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}` + end)},
	{ID: "digitalocean-pat", Name: "a DigitalOcean personal access token",
		re: regexp.MustCompile(`\bdop_v1_[a-f0-9]{64}\b`)},
	{ID: "shopify-access-token", Name: "a Shopify access token",
		re: regexp.MustCompile(`\bshpat_[a-fA-F0-9]{32}\b`)},
	{ID: "pypi-upload-token", Name: "a PyPI upload token",
		re: regexp.MustCompile(`\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}`)},
}

// Match returns the rules value matches, in the order of Rules; none for
// most values. It never returns or keeps any part of value.
func Match(value string) []Rule {
	var out []Rule
	for _, r := range Rules {
		if loc := r.re.FindStringIndex(value); loc != nil && (r.allow == nil || !r.allow.MatchString(value[loc[0]:loc[1]])) {
			out = append(out, r)
		}
	}
	return out
}
