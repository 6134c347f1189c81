package model_test

import (
	"fmt"

	"github.com/fnenv/fnenv/model"
)

// A branch of letters, digits and hyphens keeps its name; any other is
// marked with a leading hyphen and told apart by a hash of its raw name.
func ExampleBranchName() {
	for _, branch := range []string{"main", "feature-login", "feature/login", "release/1.2", "feature_x"} {
		fmt.Println(model.BranchName(branch))
	}
	// Output:
	// main
	// feature-login
	// -feature-login-5712f05b4f
	// -release-1-2-f35c4c8684
	// -feature-x-31835eb5c3
}

func ExampleStackName() {
	for _, branch := range []string{"main", "release/1.2"} {
		name, err := model.StackName("Payments", branch)
		fmt.Println(name, err)
	}
	_, err := model.StackName("Payments_v2", "main")
	fmt.Println(err)
	// Output:
	// Payments-main <nil>
	// Payments--release-1-2-f35c4c8684 <nil>
	// stack name "Payments_v2" for branch "main": must match [A-Za-z][A-Za-z0-9-]* (CloudFormation's rule for stack names: a letter first, then letters, digits and hyphens)
}

// The two layouts of parameter paths for one backend.
func ExampleBackend_BranchPath() {
	b := model.Backend{AppID: "d1a2b3c4d5e6f7", Branch: "feature/login"}
	fmt.Println(b.BranchPath("STRIPE_KEY"))
	fmt.Println(b.SharedPath("STRIPE_KEY"))
	b.Paths = model.PathsAmplify
	fmt.Println(b.BranchPath("STRIPE_KEY"))
	fmt.Println(b.SharedPath("STRIPE_KEY"))
	// Output:
	// /amplify/d1a2b3c4d5e6f7/-feature-login-5712f05b4f/STRIPE_KEY
	// /amplify/shared/d1a2b3c4d5e6f7/STRIPE_KEY
	// /amplify/d1a2b3c4d5e6f7/featurelogin-branch-976afe7de1/STRIPE_KEY
	// /amplify/shared/d1a2b3c4d5e6f7/STRIPE_KEY
}
