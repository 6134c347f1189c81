package secretcheck

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"

	"github.com/fnenv/fnenv/model"
)

// ExistingParameter is a reference to an existing SSM parameter by full
// path or ARN (function.Secret or function.Parameter): exactly that
// parameter, in the region and account an ARN names, else in the
// checker's own. Its Secret is the path or ARN as referenced.
const ExistingParameter Kind = "parameter"

// ParametersLookup is the Lookup of ExistingParameter: whether each path
// or ARN exists (GetParameters without decryption, ten names a call). It
// asks each region its own client (cfg with that region), all regions in
// parallel; an ARN in the caller's own account (sts:GetCallerIdentity,
// asked only when there is an ARN) is asked by its name, another
// account's by ARN, as a shared parameter must be. A failed region is an
// error naming it.
func ParametersLookup(cfg aws.Config) Lookup {
	return func(ctx context.Context, refs []string) (map[string]bool, error) {
		var account string
		if slices.ContainsFunc(refs, func(r string) bool { return model.FormOf(r) == model.RefARN }) {
			id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return nil, fmt.Errorf("finding the caller's account to check parameters by ARN: %w", err)
			}
			account = aws.ToString(id.Account)
		}
		asked := map[string]map[string]string{} // region → name asked → reference
		for _, ref := range refs {
			region, name := cfg.Region, ref
			if r, err := model.ParseRef(ref); err == nil && r.Form == model.RefARN {
				region = r.Region
				if r.Account == account {
					name = r.Name
				}
			}
			if asked[region] == nil {
				asked[region] = map[string]string{}
			}
			asked[region][name] = ref
		}
		regions := make([]string, 0, len(asked))
		for r := range asked {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		found := map[string]bool{}
		var mu sync.Mutex
		var g errgroup.Group
		for _, region := range regions {
			c := ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.Region = region })
			names := make([]string, 0, len(asked[region]))
			for n := range asked[region] {
				names = append(names, n)
			}
			sort.Strings(names)
			for chunk := range slices.Chunk(names, model.MaxNamesPerRequest) {
				g.Go(func() error {
					out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: chunk, WithDecryption: aws.Bool(false)})
					if err != nil {
						return fmt.Errorf("SSM in region %s: checking %s: %w", region, strings.Join(chunk, ", "), err)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, p := range out.Parameters {
						for _, k := range []*string{p.Name, p.ARN} {
							if ref, ok := asked[region][aws.ToString(k)]; ok {
								found[ref] = true
							}
						}
					}
					return nil
				})
			}
		}
		return found, g.Wait()
	}
}
