package secretcheck

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-cmp/cmp"

	"github.com/fnenv/fnenv/internal/moto"
	"github.com/fnenv/fnenv/model"
)

// TestExistingParametersAreChecked: references by path and by ARN, in a
// second region too, are looked up where they live (moto keeps regions
// apart by signature, on one endpoint).
func TestExistingParametersAreChecked(t *testing.T) {
	m := moto.StartT(t)
	m.Setenv(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put := func(region, name string) {
		c := ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.Region = region })
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("fake-legacy-value"), Type: "SecureString"}); err != nil {
			t.Fatal(err)
		}
	}
	put(moto.Region, "/legacy/db/password")
	put("eu-west-1", "/legacy/eu/db-password")
	const (
		eu        = "arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/eu/db-password"
		euMissing = "arn:aws:ssm:eu-west-1:123456789012:parameter/legacy/eu/gone"
		notShared = "arn:aws:ssm:us-east-1:999988887777:parameter/platform/datadog-key"
	)
	recs := []model.Record{record("Legacy-main/Fn", "legacy", "shop", map[string]model.Variable{
		"PW":       {Kind: model.Secret, Secret: "/legacy/db/password"},
		"EU_PW":    {Kind: model.Secret, Secret: eu},
		"GONE":     {Kind: model.Parameter, Parameter: euMissing},
		"PLATFORM": {Kind: model.Secret, Secret: notShared},
	})}
	uses, fns, err := Collect(recs, "main")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(ctx, "main", fns, uses, map[Kind]Lookup{ExistingParameter: ParametersLookup(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, u := range res.Missing {
		missing = append(missing, u.Secret)
	}
	if d := cmp.Diff(missing, []string{euMissing, notShared}); d != "" || res.Existing != 2 {
		t.Errorf("missing (-got +want):\n%s; %d existing found, want 2", d, res.Existing)
	}
	if r := res.Report(""); !strings.Contains(r, euMissing+" — existing parameter not found") || !strings.Contains(r, "used by legacy (Legacy-main/Fn)") {
		t.Errorf("report:\n%s", r)
	}
}
