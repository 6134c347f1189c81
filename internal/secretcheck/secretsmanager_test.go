package secretcheck

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/model"
)

func smVar(label, id, field string) model.Variable {
	return model.Variable{Kind: model.SecretsManager, SecretsManager: &model.SecretsManagerRef{Secret: label, ID: id, Field: field}}
}

// A Secrets Manager use is one secret field, looked for at "id#field";
// one the app creates (no id) is not looked for but reported unchecked.
func TestCheckSecretsManagerUses(t *testing.T) {
	recs := []model.Record{
		record("Pay-main/Charge", "charge", "shop", map[string]model.Variable{
			"DB_USER": smVar("Db", "shop/main/db", "username"), "DB_PASS": smVar("Db", "shop/main/db", "password"),
			"GEN": smVar("Generated", "", "token"),
		}),
		record("Pay-main/Refund", "refund", "shop", map[string]model.Variable{"DB_PASS": smVar("Db", "shop/main/db", "password")}),
	}
	uses, fns, err := Collect(recs, "main")
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	res, err := Check(context.Background(), "main", fns, uses, map[Kind]Lookup{
		SecretsManagerSecret: func(_ context.Context, names []string) (map[string]bool, error) {
			asked = append(asked, names...)
			return map[string]bool{"shop/main/db#username": true}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(asked, []string{"shop/main/db#password", "shop/main/db#username"}); diff != "" {
		t.Errorf("locations asked (-got +want):\n%s", diff)
	}
	if len(res.Missing) != 1 || res.Missing[0].Field != "password" || len(res.Missing[0].Functions) != 2 {
		t.Errorf("Missing = %+v, want the password field, used by 2 functions", res.Missing)
	}
	if res.InSecretsManager != 1 || len(res.Unchecked) != 1 || res.Unchecked[0].Secret != "Generated" {
		t.Errorf("InSecretsManager = %d, Unchecked = %+v; want 1 and Generated", res.InSecretsManager, res.Unchecked)
	}
}
