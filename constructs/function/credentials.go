package function

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/internal/credlit"
	"github.com/fnenv/fnenv/internal/fnenvcmd"
	"github.com/fnenv/fnenv/internal/secretcheck"
	"github.com/fnenv/fnenv/model"
)

// WarningCredentialLiteral is the prefix of the ids of the warning that a
// Literal looks like a credential: the id is the prefix and the rule, e.g.
// "fnenv:credential-literal:stripe-access-token". The rules are gitleaks'
// (ids and the credentials they find; see internal/credlit): AWS access key
// ids, Stripe secret and restricted keys, GitHub and GitLab tokens, Slack
// tokens and webhook URLs, PEM private keys, Google, OpenAI, Anthropic,
// SendGrid, npm, DigitalOcean, Shopify and PyPI keys. A value known to be
// harmless is acknowledged on the function (after New) or its stack:
//
//	awscdk.Annotations_Of(fn).AcknowledgeWarning(jsii.String(function.WarningCredentialLiteral+"stripe-access-token"), jsii.String("Stripe's documented test key"))
const WarningCredentialLiteral = "fnenv:credential-literal:"

// warnCredentialLiterals adds a warning for each literal that matches a
// credential rule, naming the function, the key and the rule, never the
// value: a literal is stored in plain text in the template and in the
// function's configuration, where anyone who can read either sees it.
func (f *function) warnCredentialLiterals(env map[string]Value) {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := env[k]
		if v.kind != model.Literal {
			continue
		}
		for _, r := range credlit.Match(v.s) {
			awscdk.Annotations_Of(f).AddWarningV2(jsii.String(WarningCredentialLiteral+r.ID), jsii.String(fmt.Sprintf(
				"fnenv: function %s: the literal value of %s looks like %s (rule %s): a literal is stored in plain text in the template and the function's configuration. Keep it in SSM instead: %s secret set %s --branch %s (or --shared), and function.Secret(%q)",
				f.decl.Name, k, r.Name, r.ID, fnenvcmd.FromModule("."), k, secretcheck.ShellQuote(f.backend.Branch), k)))
		}
	}
}
