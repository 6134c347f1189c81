package function

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"

	"github.com/fnenv/fnenv/model"
)

// parameterArn is the ARN a policy names for an existing parameter given
// by full path or ARN: an ARN as it is (its region and account), a path in
// the stack's partition, region and account.
func parameterArn(stack awscdk.Stack, ref model.Ref) *string {
	if ref.Form == model.RefARN {
		return jsii.String(ref.String())
	}
	return stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ssm"),
		Resource:     jsii.String("parameter"),
		ResourceName: jsii.String(strings.TrimPrefix(ref.Name, "/")),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// grantParameters gives the function ssm:GetParameters on exactly the
// existing parameters it references (function.Secret by path or ARN,
// function.Parameter), and kms:Decrypt on each key given with DecryptWith,
// via SSM in the regions of the parameters it decrypts.
func (f *function) grantParameters(env map[string]Value) {
	if len(f.problems) > 0 { // references may not parse
		return
	}
	stack := awscdk.Stack_Of(f)
	var arns []*string
	for _, p := range f.decl.ExistingParameters() {
		ref, _ := model.ParseRef(p)
		arns = append(arns, parameterArn(stack, ref))
	}
	if len(arns) > 0 {
		f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("FnenvReadParameters"),
			Actions:   jsii.Strings("ssm:GetParameters"),
			Resources: &arns,
		}))
	}

	// Each key, with the regions it is used in: an ARN's, else the stack's.
	type use struct {
		key     awskms.IKey
		regions map[string]bool
	}
	uses := map[string]*use{}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable template
	var order []string
	for _, k := range keys {
		v := env[k]
		if v.key == nil || v.kind != model.Secret {
			continue
		}
		region := *stack.Region()
		if ref, err := model.ParseRef(v.s); err == nil && ref.Form == model.RefARN {
			region = ref.Region
		}
		id := *v.key.Node().Addr()
		if uses[id] == nil {
			uses[id] = &use{key: v.key, regions: map[string]bool{}}
			order = append(order, id)
		}
		uses[id].regions[region] = true
	}
	for i, id := range order {
		u := uses[id]
		var via []string
		for r := range u.regions {
			via = append(via, "ssm."+r+"."+*stack.UrlSuffix())
		}
		sort.Strings(via)
		f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String(fmt.Sprintf("FnenvDecryptWith%d", i)),
			Actions:   jsii.Strings("kms:Decrypt"),
			Resources: jsii.Strings(*u.key.KeyArn()),
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"kms:ViaService": via},
			},
		}))
	}
}

// keepLiterals creates the stack-managed parameters holding the literals
// that do not fit in Lambda's environment (model.Function.Place: String,
// standard tier, at most 4 KB each), gives the function ssm:GetParameters
// on exactly them, and makes it depend on them, so that it never starts
// before they hold its values.
func (f *function) keepLiterals(params []model.LiteralsParameter) {
	if len(params) == 0 {
		return
	}
	stack := awscdk.Stack_Of(f)
	var arns []*string
	for i, p := range params {
		sp := awsssm.NewStringParameter(f, jsii.String(fmt.Sprintf("Literals%d", i+1)), &awsssm.StringParameterProps{
			ParameterName: jsii.String(p.Name),
			StringValue:   jsii.String(p.Value),
			Tier:          awsssm.ParameterTier_STANDARD,
			Description:   jsii.String(fmt.Sprintf("fnenv: literals of function %s that do not fit in Lambda's 4 KB environment (part %d of %d)", f.decl.Name, i+1, len(params))),
		})
		f.Node().DefaultChild().(awscdk.CfnResource).AddResourceDependency(sp.Node().DefaultChild().(awscdk.CfnResource), jsii.String("the function reads its moved literals at cold start"))
		arns = append(arns, parameterArn(stack, model.Ref{Form: model.RefPath, Name: p.Name}))
	}
	f.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FnenvReadLiterals"),
		Actions:   jsii.Strings("ssm:GetParameters"),
		Resources: &arns,
	}))
}
