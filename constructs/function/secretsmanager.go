package function

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/model"
)

// SecretsManager references a secret kept in AWS Secrets Manager: with
// jsonField "", its whole SecretString; otherwise the top-level key
// jsonField of its JSON SecretString, as a string (a number, bool, object
// or array as its JSON text), e.g. SecretsManager(db.Secret(), "password")
// for an RDS credential. The secret may be created in the app
// (awssecretsmanager.NewSecret, an RDS instance's credential) or imported
// (awssecretsmanager.Secret_FromSecretNameV2, Secret_FromSecretCompleteArn).
//
// Only the secret's ARN — or, for a secret known by name only, its name —
// reaches the function's configuration; the handler resolves the value
// (AWSCURRENT) at cold start, in the same round as the SSM secrets, and
// again after SecretsMaxAge, so that a rotated value is picked up. The
// function gets secretsmanager:GetSecretValue on exactly this secret, and
// kms:Decrypt on its key when it has one.
//
// A nil secret, or a jsonField that is blank or holds a line break, is
// reported when the app synthesizes.
func SecretsManager(secret awssecretsmanager.ISecret, jsonField string) Value {
	return Value{kind: model.SecretsManager, s: jsonField, secret: secret}
}

// secretsManagerRef returns the declaration of variable key's Secrets
// Manager reference v, nil for a nil secret (model.Validate reports it). An
// id known only at deploy goes to f.vals; the secret is kept for
// grantSecretsManager.
func (f *function) secretsManagerRef(key string, v Value) *model.SecretsManagerRef {
	if v.secret == nil {
		return nil
	}
	r := &model.SecretsManagerRef{Secret: secretLabel(v.secret), Field: v.s}
	if id := secretID(v.secret); *awscdk.Token_IsUnresolved(jsii.String(id)) {
		f.vals.SecretTokens[key] = id
	} else {
		r.ID = id
	}
	if f.smSecrets == nil {
		f.smSecrets = map[string]awssecretsmanager.ISecret{}
	}
	f.smSecrets[key] = v.secret
	return r
}

// secretID is what the handler asks Secrets Manager for: the complete ARN
// when known (a token for a secret the app creates), else the name.
func secretID(s awssecretsmanager.ISecret) string {
	if arn := s.SecretFullArn(); arn != nil {
		return *arn
	}
	if name := s.SecretName(); name != nil && !*awscdk.Token_IsUnresolved(name) {
		return *name
	}
	return *s.SecretArn() // a partial ARN
}

// secretLabel names the secret the same on every branch (stack names carry
// the branch): its construct path inside its stack.
func secretLabel(s awssecretsmanager.ISecret) string {
	path := *s.Node().Path()
	if st := awscdk.Stack_Of(s); st != nil {
		if rel, ok := strings.CutPrefix(path, *st.Node().Path()+"/"); ok {
			return rel
		}
	}
	return path
}

// secretPolicyArn is the ARN a policy names for s: its complete ARN, or
// for a secret known by name or partial ARN only, CDK's pattern for the
// six characters Secrets Manager appends (`…:secret:NAME-??????`).
func secretPolicyArn(s awssecretsmanager.ISecret) *string {
	if arn := s.SecretFullArn(); arn != nil {
		return arn
	}
	return jsii.String(*s.SecretArn() + "-??????")
}

// grantSecretsManager gives the function secretsmanager:GetSecretValue on
// exactly the secrets it references — the resolver reads each with its own
// GetSecretValue, which Secrets Manager allows 10,000 times a second per
// account and region and grants per secret (BatchGetSecretValue allows
// 100 and needs Resource "*") — and kms:Decrypt, via Secrets Manager, on
// the key of each secret that has one.
func (f *function) grantSecretsManager() {
	if len(f.smSecrets) == 0 {
		return
	}
	stack := awscdk.Stack_Of(f)
	var arns, keys []*string
	seen := map[string]bool{}
	for _, v := range f.decl.SecretsManagerVariables() { // in a stable order
		s := f.smSecrets[v.Name]
		if arn := secretPolicyArn(s); !seen[*arn] {
			seen[*arn] = true
			arns = append(arns, arn)
		}
		if k := s.EncryptionKey(); k != nil && !seen[*k.KeyArn()] {
			seen[*k.KeyArn()] = true
			keys = append(keys, k.KeyArn())
		}
	}
	f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FnenvReadSecretsManager"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &arns,
	}))
	if len(keys) > 0 {
		f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("FnenvDecryptSecretsManager"),
			Actions:   jsii.Strings("kms:Decrypt"),
			Resources: &keys,
			Conditions: &map[string]any{
				"StringEquals": map[string]any{
					"kms:ViaService": "secretsmanager." + *stack.Region() + "." + *stack.UrlSuffix(),
				},
			},
		}))
	}
}
