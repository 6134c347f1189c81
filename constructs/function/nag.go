package function

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// nagMetadata is the CloudFormation metadata key cdk-nag reads suppressions
// from: {"rules_to_suppress": [{"id", "reason", "applies_to"}]}. Writing it
// directly spares every user of fnenv a dependency on cdk-nag.
const nagMetadata = "cdk_nag"

// Reasons for the cdk-nag (AwsSolutions pack) findings on what fnenv
// creates that are inherent, not fixable in the construct.
const (
	// AwsSolutions-IAM4 on the role fnenv's function creates.
	nagReasonBasicExecution = "fnenv's function writes its logs with AWSLambdaBasicExecutionRole, " +
		"the policy CDK attaches to every Lambda role it creates (logs:CreateLogGroup, " +
		"CreateLogStream, PutLogEvents); pass FunctionOptions.Role to use your own"
)

// basicExecutionPolicy is how cdk-nag names the managed policy in an
// AwsSolutions-IAM4 finding.
const basicExecutionPolicy = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// suppressNag adds a cdk-nag suppression of rule, limited to the findings
// appliesTo, with reason, to c's CloudFormation resource, keeping those
// already there (cdk-nag's NagSuppressions merges the same way).
func suppressNag(c constructs.IConstruct, rule, reason string, appliesTo ...string) {
	r, ok := c.Node().DefaultChild().(awscdk.CfnResource)
	if !ok {
		return
	}
	var rules []any
	if old, ok := r.GetMetadata(jsii.String(nagMetadata)).(map[string]any); ok {
		rules, _ = old["rules_to_suppress"].([]any)
	}
	s := map[string]any{"id": rule, "reason": reason}
	if len(appliesTo) > 0 {
		s["applies_to"] = appliesTo
	}
	rules = append(rules, s)
	r.AddMetadata(jsii.String(nagMetadata), map[string]any{"rules_to_suppress": rules})
}
