package function

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Ids of the synth warnings that a function with secrets has no route to
// the service that holds them (SSM also for literals moved out of the
// environment): its VpcSubnets are isolated (no NAT
// gateway) in a VPC of the app that has no interface endpoint for SSM
// (com.amazonaws.<region>.ssm), or for Secrets Manager when the function
// references a Secrets Manager secret. Without one, every cold start waits
// for the service until Lambda's init timeout. No warning is given for an
// imported VPC (Vpc_FromLookup, Vpc_FromVpcAttributes): its routes are not
// known at synth. The warning sits on the function's resource; acknowledge
// it on the function or its stack (before synth, which is when it is
// added).
const (
	WarningVPCNoSSMRoute            = "fnenv:vpc-no-ssm-route"
	WarningVPCNoSecretsManagerRoute = "fnenv:vpc-no-secretsmanager-route"
)

// vpcCheck is the stage's validation that warns about functions without a
// route to their secrets. It runs once per synth, after the app's code has
// added every endpoint.
type vpcCheck struct {
	r    *registry
	done bool
}

func (c *vpcCheck) Validate() *[]*string {
	if !c.done {
		c.done = true
		c.r.checkVPCRoutes()
	}
	return &[]*string{}
}

// route is a service a function reads secrets from, as a VPC endpoint
// names it, with what the warning says.
type route struct {
	suffix, service, constructor, id string
}

var (
	ssmRoute = route{".ssm", "SSM", "InterfaceVpcEndpointAwsService_SSM", WarningVPCNoSSMRoute}
	smRoute  = route{".secretsmanager", "Secrets Manager", "InterfaceVpcEndpointAwsService_SECRETS_MANAGER", WarningVPCNoSecretsManagerRoute}
)

// trailingTokens are the CDK tokens at the end of a string.
var trailingTokens = regexp.MustCompile(`(?:\$\{Token\[[^\]]*\]\})+$`)

func (r *registry) checkVPCRoutes() {
	var endpoints map[string]bool // "<vpc id token> <suffix>"
	for _, f := range r.fns {
		if f.vpc == nil || len(f.problems) > 0 {
			continue
		}
		var need []route
		if len(f.decl.Secrets()) > 0 || len(f.decl.ExistingParameters()) > 0 || f.movedLiterals {
			need = append(need, ssmRoute)
		}
		if len(f.decl.SecretsManagerVariables()) > 0 {
			need = append(need, smRoute)
		}
		if len(need) == 0 || !ownVPC(f.vpc) || !isolatedOnly(f.vpc, f.vpcSubnets) {
			continue
		}
		if endpoints == nil {
			endpoints = interfaceEndpoints(r.Node().Scope())
		}
		for _, rt := range need {
			if endpoints[*f.vpc.VpcId()+" "+rt.suffix] {
				continue
			}
			awscdk.Annotations_Of(f.Node().DefaultChild()).AddWarningV2(jsii.String(rt.id), jsii.String(fmt.Sprintf(
				"fnenv: function %s reads secrets from %s, but its subnets in VPC %s are isolated (no NAT gateway) and the VPC has no interface endpoint for %s: every cold start would wait for %s until Lambda's init timeout. Add one: vpc.AddInterfaceEndpoint(jsii.String(%q), &awsec2.InterfaceVpcEndpointOptions{Service: awsec2.%s()})",
				f.decl.Name, rt.service, *f.vpc.Node().Path(), rt.service, rt.service, strings.ReplaceAll(rt.service, " ", ""), rt.constructor)))
		}
	}
}

// ownVPC reports whether vpc is defined by the app (its AWS::EC2::VPC
// resource is in the tree), not imported.
func ownVPC(vpc awsec2.IVpc) bool {
	res, ok := vpc.Node().DefaultChild().(awscdk.CfnResource)
	return ok && res != nil && *res.CfnResourceType() == "AWS::EC2::VPC"
}

// isolatedOnly reports whether every subnet sel selects in vpc (the VPC's
// default selection when sel is nil, as Lambda's) is an isolated one.
func isolatedOnly(vpc awsec2.IVpc, sel *awsec2.SubnetSelection) (ok bool) {
	defer func() {
		if recover() != nil { // a selection the VPC refuses: Lambda reports it
			ok = false
		}
	}()
	isolated := map[string]bool{}
	for _, s := range *vpc.IsolatedSubnets() {
		isolated[*s.Node().Path()] = true
	}
	selected := vpc.SelectSubnets(sel).Subnets
	if selected == nil || len(*selected) == 0 {
		return false
	}
	for _, s := range *selected {
		if !isolated[*s.Node().Path()] {
			return false
		}
	}
	return true
}

// interfaceEndpoints returns the VPC interface endpoints of the stage with
// private DNS (without it the SDK does not reach them), as "<VPC id token>
// <service name suffix>" for each of the suffixes of ssmRoute and smRoute.
func interfaceEndpoints(stage constructs.IConstruct) map[string]bool {
	out := map[string]bool{}
	for _, c := range *stage.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		ep, ok := c.(awsec2.CfnVPCEndpoint)
		if !ok || ep == nil || ep.VpcId() == nil || ep.ServiceName() == nil {
			continue
		}
		if t := ep.VpcEndpointType(); t != nil && *t != "Interface" {
			continue
		}
		switch dns := ep.PrivateDnsEnabled().(type) {
		case bool:
			if !dns {
				continue
			}
		case *bool:
			if dns != nil && !*dns {
				continue
			}
		}
		// "com.amazonaws.<region>.ssm", or its tokens with a token after it
		// (awsec2.InterfaceVpcEndpointAwsService's form).
		name := trailingTokens.ReplaceAllString(*ep.ServiceName(), "")
		for _, rt := range []route{ssmRoute, smRoute} {
			if strings.HasSuffix(name, rt.suffix) {
				out[*ep.VpcId()+" "+rt.suffix] = true
			}
		}
	}
	return out
}
