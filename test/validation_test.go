package test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"strings"
	"testing"

	"github.com/fnenv/fnenv/constructs/function"
	"github.com/fnenv/fnenv/model"
)

func TestEveryRuleFailsSynthWithAClearMessage(t *testing.T) {
	long := strings.Repeat("s", 1000)
	tests := []struct {
		name  string
		app   appOptions
		props function.Props
		want  []string
	}{
		{"env key too short", appOptions{}, function.Props{Environment: map[string]function.Value{"A": function.Literal("x")}},
			[]string{`function "fn": env key "A": must match [a-zA-Z][a-zA-Z0-9_]+ (Lambda's rule: a letter first, 2 characters at least)`}},
		{"env key starts with a digit", appOptions{}, function.Props{Environment: map[string]function.Value{"1X": function.Literal("x")}},
			[]string{`function "fn": env key "1X": must match [a-zA-Z][a-zA-Z0-9_]+`}},
		{"env key with a dash", appOptions{}, function.Props{Environment: map[string]function.Value{"API-KEY": function.Secret("K")}},
			[]string{`function "fn": env key "API-KEY": must match [a-zA-Z][a-zA-Z0-9_]+`}},
		{"key reserved by Lambda", appOptions{}, function.Props{Environment: map[string]function.Value{"AWS_REGION": function.Literal("x")}},
			[]string{`function "fn": env key "AWS_REGION": is reserved by the Lambda runtime`}},
		{"key reserved by fnenv", appOptions{}, function.Props{Environment: map[string]function.Value{"FNENV_SECRETS": function.Literal("x")}},
			[]string{`function "fn": env key "FNENV_SECRETS": keys starting with "FNENV_" are reserved by fnenv`}},
		{"secret name with a slash", appOptions{}, function.Props{Environment: map[string]function.Value{"API_KEY": function.Secret("team/key")}},
			[]string{`function "fn": env key "API_KEY": "team/key" is neither a secret name ([a-zA-Z0-9_.-]+, no '/'), a parameter path (starting with '/') nor a parameter ARN`}},
		{"empty secret name", appOptions{}, function.Props{Environment: map[string]function.Value{"API_KEY": function.Secret("")}},
			[]string{`function "fn": env key "API_KEY": secret name "" must match [a-zA-Z0-9_.-]+`}},
		{"two keys one Go field", appOptions{}, function.Props{Environment: map[string]function.Value{"API_KEY": function.Secret("K"), "api_key": function.Literal("x")}},
			[]string{`function "fn": env keys "API_KEY", "api_key": map to the same Go field APIKey`}},
		{"key on the Env struct's own field", appOptions{}, function.Props{Environment: map[string]function.Value{"LAMBDA": function.Literal("x")}},
			[]string{`function "fn": env key "LAMBDA": maps to Go field Lambda, which the generated Env struct reserves`}},
		{"literal not of its type", appOptions{}, function.Props{Environment: map[string]function.Value{"PORT": function.Literal("80a").As(function.Int), "TIMEOUT": function.Literal("5").As(function.Duration)}},
			[]string{`function "fn": env key "PORT": literal "80a" is not a valid int: want a decimal integer, like 8080`,
				`function "fn": env key "TIMEOUT": literal "5" is not a valid duration: want a Go duration, like 300ms, 1.5s or 2h45m`}},
		{"unknown type", appOptions{}, function.Props{Environment: map[string]function.Value{"PORT": function.Secret("PORT").As("integer")}},
			[]string{`function "fn": env key "PORT": type "integer" is not one of string, int, bool, float, duration, url, stringlist, json`}},
		{"literal steering the SDK's endpoint", appOptions{}, function.Props{Environment: map[string]function.Value{"AWS_ENDPOINT_URL_SSM": function.Literal("https://ssm.example")}},
			[]string{`function "fn": env key "AWS_ENDPOINT_URL_SSM": steers the AWS SDK (where its requests go, which credentials or certificates it uses): a literal may not set it`}},
		{"literal steering the SDK's trust", appOptions{}, function.Props{Environment: map[string]function.Value{"AWS_CA_BUNDLE": function.Literal("/tmp/ca.pem"), "AWS_PROFILE": function.Literal("x")}},
			[]string{`function "fn": env key "AWS_CA_BUNDLE": steers the AWS SDK`, `function "fn": env key "AWS_PROFILE": steers the AWS SDK`}},
		{"zero Value", appOptions{}, function.Props{Environment: map[string]function.Value{"API_KEY": {}}},
			[]string{`function "fn": env key "API_KEY": has no value: use function.Literal, function.Secret, function.Parameter or function.SecretsManager`}},
		{"empty name", appOptions{}, function.Props{Name: "-"},
			[]string{`function "": name: must not be empty`}},
		{"name with a space", appOptions{}, function.Props{Name: "say hello"},
			[]string{`function "say hello": name: must match [a-zA-Z0-9_-]{1,64} (Lambda's rule for function names)`}},
		{"name of 65 characters", appOptions{}, function.Props{Name: strings.Repeat("n", 65)},
			[]string{`name: must match [a-zA-Z0-9_-]{1,64}`}},
		{"empty entry", appOptions{}, function.Props{Entry: "-"},
			[]string{`function "fn": entry: must not be empty: give the handler's main package (a directory or its main.go), relative to the module root`}},
		{"absolute entry", appOptions{}, function.Props{Entry: "/tmp/fn"},
			[]string{`function "fn": entry: "/tmp/fn" must be a path relative to the module root, inside it`}},
		{"entry outside the module", appOptions{}, function.Props{Entry: "../fn"},
			[]string{`function "fn": entry: "../fn" must be a path relative to the module root, inside it`}},
		{"missing entry", appOptions{}, function.Props{Entry: "test/testdata/nope"},
			[]string{`function "fn": entry: directory test/testdata/nope does not exist (Entry is relative to the module root`}},
		{"entry without Go files", appOptions{}, function.Props{Entry: "test/testdata"},
			[]string{`function "fn": entry: test/testdata holds no Go files: Entry must be the handler's main package`}},
		{"entry not a main package", appOptions{}, function.Props{Entry: "test/testdata/notmain"},
			[]string{`function "fn": entry: test/testdata/notmain is package notmain, not a main package`}},
		{"environment over 4 KB", appOptions{}, function.Props{Environment: func() map[string]function.Value {
			env := map[string]function.Value{"BIG": function.Literal(strings.Repeat("x", 5000))}
			for i := range 100 {
				env[fmt.Sprintf("SECRET_NUMBER_%06d", i)] = function.Secret(fmt.Sprintf("SECRET_NUMBER_%06d", i))
			}
			return env
		}()},
			[]string{`function "fn": environment: is 4400 bytes as JSON with every literal moved to SSM parameters; Lambda allows 4096 (4 KB) for all environment variables`}},
		{"parameter name over 1011 characters", appOptions{}, function.Props{Environment: map[string]function.Value{"LONG": function.Secret(long)}},
			[]string{
				fmt.Sprintf(`function "fn": secret %q: parameter name "/amplify/fnenv-test/main/%s" is 1025 characters; SSM allows 1011`, long, long),
				fmt.Sprintf(`function "fn": secret %q: parameter name "/amplify/shared/fnenv-test/%s" is 1027 characters; SSM allows 1011`, long, long),
			}},
		{"parameter name over 15 levels", appOptions{extra: map[string]any{model.ContextPrefix: "/a/b/c/d/e/f/g/h/i/j/k/l/m"}},
			function.Props{Environment: map[string]function.Value{"API_KEY": function.Secret("K")}},
			[]string{`function "fn": secret "K": parameter name "/a/b/c/d/e/f/g/h/i/j/k/l/m/fnenv-test/main/K" has 16 levels; SSM allows 15`}},
		{"no app id", appOptions{appID: "-"}, function.Props{},
			[]string{`fnenv: no app id: pass it as CDK context (cdk synth -c appId=my-app, or "context": {"appId": "my-app"} in cdk.json) or set AWS_APP_ID`}},
		{"bad app id", appOptions{appID: "my/app"}, function.Props{},
			[]string{`app id "my/app" must match [a-zA-Z0-9_.-]+`}},
		{"bad prefix", appOptions{extra: map[string]any{model.ContextPrefix: "amplify"}}, function.Props{},
			[]string{`parameter prefix "amplify" must start with '/'`}},
		{"prefix with a relative level", appOptions{extra: map[string]any{model.ContextPrefix: "/amplify/../x"}}, function.Props{},
			[]string{`parameter prefix "/amplify/../x": level ".." is refused`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a function with one bad input
			p := tt.props
			p.Name = or(p.Name, "fn")
			p.Entry = or(p.Entry, hello)
			app := newApp(tt.app)
			// A plain stack: the function reports the identity's problems.
			stack := awscdk.NewStack(app, ptr("Bad"), nil)
			function.New(stack, "Fn", &p)

			// WHEN the app synthesizes
			got := synthError(app)

			// THEN it fails with the rule broken, naming the function
			if missing := contains(got, tt.want...); len(missing) > 0 {
				t.Errorf("synth error lacks %q; it is:\n%s", missing, got)
			}
		})
	}
}

// TestEntryThroughASymlinkOut: an entry that is a symbolic link leading out
// of the module is a synth problem naming the function, the entry and
// where it resolves; no env package is written there.
func TestEntryThroughASymlinkOut(t *testing.T) {
	// GIVEN an entry in the module that links to a handler outside it
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	entry := fmt.Sprintf("test/testdata/link-out-%d", os.Getpid())
	link := filepath.Join("..", filepath.FromSlash(entry))
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(link) })
	app := newApp(appOptions{})
	function.New(awscdk.NewStack(app, ptr("Bad"), nil), "Fn", &function.Props{Name: "fn", Entry: entry})

	// WHEN the app synthesizes, THEN it fails naming the function, the entry and where it resolves
	realOutside, _ := filepath.EvalSymlinks(outside)
	if missing := contains(synthError(app), `function "fn": entry: `+entry+" resolves to "+realOutside+", outside the module root"); len(missing) > 0 {
		t.Errorf("synth error lacks %q", missing)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("%d entries outside the module, want main.go alone", len(entries))
	}
}

func or(s, def string) string {
	switch s {
	case "":
		return def
	case "-":
		return ""
	}
	return s
}

func ptr(s string) *string { return &s }

func TestDuplicateNamesAndSharedEntries(t *testing.T) {
	// GIVEN two functions named alike in two stacks, and two with one
	// entry but different variables
	app := newApp(appOptions{})
	a, b := newStack(app, "A"), newStack(app, "B")
	function.New(a, "One", &function.Props{Name: "same", Entry: hello})
	function.New(b, "Two", &function.Props{Name: "same", Entry: hello})
	function.New(b, "Three", &function.Props{Name: "other", Entry: hello,
		Environment: map[string]function.Value{"API_KEY": function.Secret("K")}})
	// and one with the same variables as One but its own name, which the
	// generated package holds too
	function.New(b, "Four", &function.Props{Name: "fourth", Entry: hello})

	// WHEN the app synthesizes
	got := synthError(app)

	// THEN both duplicates and the shared entry are reported
	want := []string{
		`[A-main/One] function "same": name: is also the name of B-main/Two: a name must be unique in the app`,
		`[B-main/Two] function "same": name: is also the name of A-main/One`,
		`[B-main/Three] function "other": entry: test/testdata/hello is also the entry of A-main/One, B-main/Four, B-main/Two with another name or other variables`,
		`[B-main/Four] function "fourth": entry: test/testdata/hello is also the entry of A-main/One, B-main/Three, B-main/Two with another name or other variables`,
	}
	if missing := contains(got, want...); len(missing) > 0 {
		t.Errorf("synth error lacks %q; it is:\n%s", missing, got)
	}
}

func TestAllProblemsOfAnAppAreReportedTogether(t *testing.T) {
	// GIVEN problems in two functions of two stacks
	app := newApp(appOptions{})
	pay, notify := newStack(app, "Payments"), newStack(app, "Notifications")
	function.New(pay, "Charge", &function.Props{Name: "charge", Entry: hello,
		Environment: map[string]function.Value{"A": function.Literal("x"), "AWS_REGION": function.Literal("x")}})
	function.New(notify, "Slack", &function.Props{Name: "slack", Entry: "app/functions/nope",
		Environment: map[string]function.Value{"HOOK": function.Secret("bad name")}})

	// WHEN the app synthesizes
	got := synthError(app)

	// THEN one error lists every problem, each with its construct path
	want := []string{
		`[Payments-main/Charge] function "charge": env key "A": must match`,
		`[Payments-main/Charge] function "charge": env key "AWS_REGION": is reserved by the Lambda runtime`,
		`[Notifications-main/Slack] function "slack": env key "HOOK": secret name "bad name" must match`,
		`[Notifications-main/Slack] function "slack": entry: directory app/functions/nope does not exist`,
	}
	if missing := contains(got, want...); len(missing) > 0 {
		t.Errorf("synth error lacks %q; it is:\n%s", missing, got)
	}
}

func TestReservedNamesAtTheirEdges(t *testing.T) {
	// GIVEN every name Lambda reserves in one function
	app := newApp(appOptions{})
	env := map[string]function.Value{}
	for _, k := range model.ReservedKeys {
		env[k] = function.Literal("x")
	}
	function.New(newStack(app, "Reserved"), "Fn", &function.Props{Name: "reserved", Entry: hello, Environment: env})

	// WHEN it synthesizes, THEN each is reported
	got := synthError(app)
	var want []string
	for _, k := range model.ReservedKeys {
		if strings.HasPrefix(k, "_") { // Lambda's key rule rejects it first
			want = append(want, fmt.Sprintf(`env key %q: must match`, k))
		} else {
			want = append(want, fmt.Sprintf(`env key %q: is reserved by the Lambda runtime`, k))
		}
	}
	if missing := contains(got, want...); len(missing) > 0 {
		t.Errorf("synth error lacks %q; it is:\n%s", missing, got)
	}

	// GIVEN names one step away from reserved ones, WHEN they synthesize,
	// THEN they pass
	app = newApp(appOptions{})
	near := map[string]function.Value{}
	for _, k := range []string{"AWS_REGION_NAME", "MY_AWS_REGION", "TZ_NAME", "FNENV", "FNENVX", "Fnenv_lower", "LAMBDA_TASK", "HANDLER"} {
		near[k] = function.Literal("x")
	}
	function.New(newStack(app, "Near"), "Fn", &function.Props{Name: "near", Entry: hello, Environment: near})
	if got := synthError(app); got != "" {
		t.Errorf("names near reserved ones fail synth:\n%s", got)
	}
}

func TestEnvironmentSizeAtTheLimit(t *testing.T) {
	b := model.Backend{Prefix: model.DefaultPrefix, AppID: "fnenv-test", Branch: "main"}
	// pad returns an environment of exactly size bytes as JSON, with a secret.
	pad := func(size int) map[string]function.Value {
		fn := model.NewFunction("edge", hello, map[string]model.Variable{
			"API_KEY": {Kind: model.Secret, Secret: "API_KEY"},
			"PAD":     {Kind: model.Literal},
		})
		n := size - model.EnvironmentSize(fn.Environment(b, model.DefaultSecretsMaxAge.String(), model.SynthValues{}))
		return map[string]function.Value{
			"API_KEY": function.Secret("API_KEY"),
			"PAD":     function.Literal(strings.Repeat("x", n)),
		}
	}
	fifty := map[string]function.Value{}
	for i := range 50 {
		name := fmt.Sprintf("SECRET_NUMBER_%06d", i) // 20 characters
		fifty[name] = function.Secret(name)
	}
	tests := []struct {
		name string
		env  map[string]function.Value
		want string // "" for success
	}{
		{"exactly 4096 bytes", pad(4096), ""},
		{"4097 bytes: the literal moves to an SSM parameter", pad(4097), ""},
		{"50 secrets with 20-character names", fifty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a function whose environment is at the edge
			app := newApp(appOptions{})
			function.New(newStack(app, "Edge"), "Fn", &function.Props{Name: "edge", Entry: hello, Environment: tt.env})

			// WHEN it synthesizes
			got := synthError(app)

			// THEN it passes or fails naming the function
			if tt.want == "" && got != "" {
				t.Errorf("synth failed:\n%s", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("synth error lacks %q; it is:\n%s", tt.want, got)
			}
		})
	}
}
