package credlit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Fake tokens are built from parts so that this file holds no string a
// secret scanner would flag; none is a real credential.
func fake(prefix string, n int, alphabet string) string {
	var sb strings.Builder
	sb.WriteString(prefix)
	for i := range n {
		sb.WriteByte(alphabet[(i*7+3)%len(alphabet)])
	}
	return sb.String()
}

const (
	alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	hex   = "0123456789abcdef"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, value string
		want        []string // rule ids
	}{
		{"AWS access key id", fake("AK"+"IA", 16, upper), []string{"aws-access-token"}},
		{"AWS temporary key id in text", "id=" + fake("AS"+"IA", 16, upper) + ";", []string{"aws-access-token"}},
		{"AWS's documented example key", "AK" + "IAIOSFODNN7EXAMPLE", nil},
		{"Stripe live secret key", fake("sk_"+"live_", 24, alnum), []string{"stripe-access-token"}},
		{"Stripe restricted test key", fake("rk_"+"test_", 24, alnum), []string{"stripe-access-token"}},
		{"Stripe publishable key", fake("pk_"+"live_", 24, alnum), nil},
		{"GitHub classic token", fake("gh"+"p_", 36, alnum), []string{"github-pat"}},
		{"GitHub fine-grained token", fake("github"+"_pat_", 82, alnum), []string{"github-fine-grained-pat"}},
		{"GitHub OAuth token", fake("gh"+"o_", 36, alnum), []string{"github-oauth"}},
		{"GitHub Actions token", fake("gh"+"s_", 36, alnum), []string{"github-app-token"}},
		{"GitHub refresh token", fake("gh"+"r_", 36, alnum), []string{"github-refresh-token"}},
		{"GitLab token", fake("gl"+"pat-", 20, alnum), []string{"gitlab-pat"}},
		{"Slack bot token", "xo" + "xb-1234567890-1234567890123-" + fake("", 24, alnum), []string{"slack-bot-token"}},
		{"Slack user token", "xo" + "xp-1234567890-1234567890-1234567890123-" + fake("", 32, hex), []string{"slack-user-token"}},
		{"Slack app token", "xa" + "pp-1-A0123ABCDEF-1234567890123-" + fake("", 64, hex), []string{"slack-app-token"}},
		{"Slack webhook URL", "https://hooks.slack" + ".com/services/" + fake("T0", 44, alnum), []string{"slack-webhook-url"}},
		{"PEM private key", "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIE...", []string{"private-key"}},
		{"PEM OpenSSH private key", "-----BEGIN OPENSSH " + "PRIVATE KEY-----", []string{"private-key"}},
		{"PEM certificate", "-----BEGIN CERTIFICATE-----\nMIID...", nil},
		{"Google API key", fake("AI"+"za", 35, alnum), []string{"gcp-api-key"}},
		{"OpenAI project key", fake("sk-"+"proj-", 58, alnum) + "T3Blbk" + "FJ" + fake("", 58, alnum), []string{"openai-api-key"}},
		{"Anthropic key", fake("sk-"+"ant-api03-", 93, alnum) + "AA", []string{"anthropic-api-key"}},
		{"npm token", fake("np"+"m_", 36, alnum), []string{"npm-access-token"}},
		{"SendGrid key", fake("S"+"G.", 22, alnum) + fake(".", 43, alnum), []string{"sendgrid-api-token"}},
		{"DigitalOcean token", fake("dop"+"_v1_", 64, hex), []string{"digitalocean-pat"}},
		{"Shopify token", fake("shp"+"at_", 32, hex), []string{"shopify-access-token"}},
		{"PyPI token", fake("py"+"pi-AgEIcHlwaS5vcmc", 60, alnum), []string{"pypi-upload-token"}},
		// Values a function's environment holds every day.
		{"a table name", "Orders-main-1A2B3C4D5E6F", nil},
		{"a URL", "https://api.example.com/v1/charges", nil},
		{"a UUID", "7d9f3c1e-2b4a-4f6d-9e8c-1a2b3c4d5e6f", nil},
		{"a CDK token", "${Token[TOKEN.123]}", nil},
		{"an ARN", "arn:aws:sqs:eu-west-1:123456789012:orders", nil},
		{"too short after the prefix", "sk_" + "live_abc", nil},
		{"a placeholder", "sk_" + "live_...", nil},
		{"a word that starts alike", "skip_live_streams", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range Match(tt.value) {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Match (-got +want):\n%s", diff)
			}
		})
	}
}

func TestRulesAreDistinctAndNamed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] || r.ID == "" || r.Name == "" || r.re == nil {
			t.Errorf("rule %+v: ids must be unique, with a name and a pattern", r.ID)
		}
		seen[r.ID] = true
	}
}
