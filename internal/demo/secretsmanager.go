package demo

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// SecretsManagerValues are the sample's fake Secrets Manager values: per
// secret, as the generated code names it (its construct path in its
// stack), per branch. Obvious fakes, never real credentials.
var SecretsManagerValues = map[string]map[string]string{
	"DbCredential": {
		"main":          `{"username":"payments_main_0042","password":"pw_fake_main_0042","host":"db.main.example.test","port":5432}`,
		"feature/login": `{"username":"payments_login_0017","password":"pw_fake_login_0017","host":"db.login.example.test","port":5432}`,
	},
}

// SecretsManagerSecrets lists the Secrets Manager secrets the functions of
// stacks reference by id (name or ARN), mapped to the name the generated
// code gives them.
func SecretsManagerSecrets(stacks []Stack) map[string]string {
	out := map[string]string{}
	for _, st := range stacks {
		for _, fn := range st.Functions {
			for _, v := range fn.Record.Function.SecretsManagerVariables() {
				if r := v.SecretsManager; r.ID != "" {
					out[r.ID] = r.Secret
				}
			}
		}
	}
	return out
}

// CreateSecretsManagerSecrets gives every Secrets Manager secret the
// branch's stacks reference its value from SecretsManagerValues, creating
// it first: moto's CloudFormation does not create
// AWS::SecretsManager::Secret, so the demo does what a team's database
// stack would. It returns the ids set, sorted.
func (r *Runner) CreateSecretsManagerSecrets(ctx context.Context, branch string, stacks []Stack) ([]string, error) {
	var ids []string
	for id, label := range SecretsManagerSecrets(stacks) {
		v, ok := SecretsManagerValues[label][branch]
		if !ok {
			return nil, fmt.Errorf("the sample app references Secrets Manager secret %s (%s), which the demo has no value for on branch %s: add one to demo.SecretsManagerValues", label, id, branch)
		}
		if err := r.PutSecretsManagerValue(ctx, id, v); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// PutSecretsManagerValue makes value the AWSCURRENT version of the secret
// named id, creating the secret when it does not exist: a rotation when it
// does.
func (r *Runner) PutSecretsManagerValue(ctx context.Context, id, value string) error {
	c := sm.NewFromConfig(r.config())
	_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(value)})
	var nf *smtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(value)})
	}
	if err != nil {
		return fmt.Errorf("setting Secrets Manager secret %s: %w", id, err)
	}
	return nil
}
