package resolver_test

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/fnenv/fnenv/internal/leaktest"
	"github.com/fnenv/fnenv/resolver"
)

// fakeSecrets is an Env's worth of secrets of every type, with fake values;
// none of leaks may appear in anything printed.
type fakeSecrets struct {
	Key      resolver.Secret[string]
	Port     resolver.Secret[int]
	Origins  resolver.Secret[[]string]
	Hook     resolver.Secret[*url.URL]
	DB       resolver.Secret[json.RawMessage]
	TTL      resolver.Secret[time.Duration]
	Rate     resolver.Secret[float64]
	Greeting string // a literal
}

var leaks = []string{"stripe-key-main", "918273645", "fake-origin", "hook-0077", "fake_db_password", "27h26m5s", "2.718281828"}

func newFakeSecrets() fakeSecrets {
	return fakeSecrets{
		Key:      resolver.NewSecret("fake-stripe-key-main-0042"),
		Port:     resolver.NewSecret(918273645),
		Origins:  resolver.NewSecret([]string{"fake-origin-alpha.example", "fake-origin-beta.example"}),
		Hook:     resolver.NewSecret(&url.URL{Scheme: "https", Host: "hooks.example.com", Path: "/fake/hook-0077"}),
		DB:       resolver.NewSecret(json.RawMessage(`{"password":"fake_db_password_0099"}`)),
		TTL:      resolver.NewSecret(98765 * time.Second),
		Rate:     resolver.NewSecret(2.718281828),
		Greeting: "hello",
	}
}

// Holders of secrets as a handler's code may hold them: fmt calls no
// method through hidden's unexported fields.
type (
	hidden struct {
		env  fakeSecrets
		penv *fakeSecrets
		key  resolver.Secret[string]
		pkey *resolver.Secret[string]
		any  any
		list []resolver.Secret[string]
		m    map[string]resolver.Secret[[]string]
	}
	shown struct {
		Env  fakeSecrets
		PEnv *fakeSecrets
		Key  resolver.Secret[string]
		PKey *resolver.Secret[string]
		Any  any
		List []resolver.Secret[string]
		M    map[string]resolver.Secret[[]string]
	}
)

// TestSecretNeverPrinted prints secrets of every type, held in every way,
// through every printing path, and finds no value in the output.
func TestSecretNeverPrinted(t *testing.T) {
	e := newFakeSecrets()
	h := hidden{env: e, penv: &e, key: e.Key, pkey: &e.Key, any: e.Hook, list: []resolver.Secret[string]{e.Key}, m: map[string]resolver.Secret[[]string]{"o": e.Origins}}
	s := shown{Env: e, PEnv: &e, Key: e.Key, PKey: &e.Key, Any: e.Hook, List: h.list, M: h.m}
	holders := map[string]any{
		"Secret": e.Key, "*Secret": &e.Key, "Secret[int]": e.Port, "Secret[[]string]": e.Origins, "Secret[*url.URL]": e.Hook,
		"Secret[json.RawMessage]": e.DB, "Secret[time.Duration]": e.TTL, "Secret[float64]": e.Rate,
		"struct": e, "*struct": &e, "unexported fields": h, "*unexported fields": &h, "exported fields": s, "*exported fields": &s,
		"slice": []resolver.Secret[string]{e.Key}, "array": [1]resolver.Secret[int]{e.Port}, "map": map[string]any{"k": e.Key, "e": e, "h": h},
		"[]any": []any{e.Key, &e, h}, "[]struct": []fakeSecrets{e}, "[]unexported fields": []hidden{h},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%p", "%e", "%g", "%c", "%U", "%b", "%o", "%O", "%T", "%10.4v", "%-30s", "%+q", "%#x", "%#s", "%w"}
	out := map[string]string{}
	for name, x := range holders {
		for _, verb := range verbs {
			out[name+" "+verb] = fmt.Sprintf(verb, x)
		}
		out[name+" Sprint"] = fmt.Sprint(x)
		out[name+" Sprintln"] = fmt.Sprintln("x", x)
		out[name+" Errorf"] = fmt.Errorf("failed with %v: %w", x, fmt.Errorf("%+v", x)).Error()

		var buf bytes.Buffer
		log.New(&buf, "", 0).Printf("%+v", x)
		log.New(&buf, "", 0).Print(x)
		out[name+" log"] = buf.String()

		buf.Reset()
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "x", x, slog.Group("g", "x", x), x)
		out[name+" slog text"] = buf.String()
		buf.Reset()
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "x", x, slog.Group("g", "x", x), x)
		out[name+" slog JSON"] = buf.String()

		j, err := json.Marshal(x)
		out[name+" json.Marshal"] = fmt.Sprint(string(j), err)
		j, err = json.MarshalIndent(map[string]any{"x": x}, "", " ")
		out[name+" json.MarshalIndent"] = fmt.Sprint(string(j), err)
		x2, err := xml.Marshal(x)
		out[name+" xml.Marshal"] = fmt.Sprint(string(x2), err)
		buf.Reset()
		err = gob.NewEncoder(&buf).Encode(x)
		out[name+" gob"] = fmt.Sprint(buf.String(), err)

		buf.Reset()
		err = template.Must(template.New("").Parse(`{{.}} {{printf "%#v %s" . .}}`)).Execute(&buf, x)
		out[name+" text/template"] = fmt.Sprint(buf.String(), err)
	}
	for _, l := range leaktest.Find(out, leaks...) {
		t.Error(l)
	}
	// The exported paths show the masks, the literal as it is.
	for path, want := range map[string]string{
		"Secret %v": "fake…42", "*Secret %s": "fake…42", "Secret %q": `"fake…42"`, "Secret %#v": `"fake…42"`,
		"Secret[int] %d": "****", "Secret %-30s": "fake…42" + strings.Repeat(" ", 23), "Secret[int] %10.4v": "      ****",
		"Secret json.Marshal": `"fake…42"<nil>`, "Secret[*url.URL] %v": "http…77", "Secret[[]string] %v": "fake…le",
		"struct %+v":         "{Key:fake…42 Port:**** Origins:fake…le Hook:http…77 DB:{\"pa…\"} TTL:**** Rate:**** Greeting:hello}",
		"exported fields %v": "{{fake…42 **** fake…le http…77 {\"pa…\"} **** **** hello}",
	} {
		if got := out[path]; !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if got := out["struct slog JSON"]; !strings.Contains(got, `"x":{"Key":"fake…42","Port":"****"`) || !strings.Contains(got, `"Greeting":"hello"`) {
		t.Errorf("slog JSON = %s; want each secret's mask and the literal", got)
	}
	t.Logf("%d outputs checked, for example:\n%s\n%s", len(out), out["unexported fields %+v"], out["*unexported fields %s"])
}

// Reveal returns the value; the zero Secret reveals the zero value.
func TestSecretReveal(t *testing.T) {
	e := newFakeSecrets()
	if e.Key.Reveal() != "fake-stripe-key-main-0042" || e.Port.Reveal() != 918273645 || e.Hook.Reveal().Host != "hooks.example.com" ||
		e.Origins.Reveal()[1] != "fake-origin-beta.example" || e.TTL.Reveal() != 98765*time.Second {
		t.Error("Reveal does not return the values given to NewSecret")
	}
	var zero resolver.Secret[*url.URL]
	if zero.Reveal() != nil || (resolver.Secret[int]{}).Reveal() != 0 || fmt.Sprint(zero) != "" {
		t.Errorf("the zero Secret reveals %v and prints %q; want the zero value and an empty mask", zero.Reveal(), fmt.Sprint(zero))
	}
}

// A Secret has no ==; reflect.DeepEqual compares the values.
func TestSecretEquality(t *testing.T) {
	if reflect.TypeFor[resolver.Secret[string]]().Comparable() {
		t.Error("Secret is comparable: == would compare secrets, or their pointers")
	}
	a, b, c := resolver.NewSecret("fake-a"), resolver.NewSecret("fake-a"), resolver.NewSecret("fake-b")
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Error("reflect.DeepEqual does not compare the values")
	}
}

// A handler reads a secret field with Reveal; printed, it shows its mask.
// A unit test builds one with NewSecret, for env.Override.
func ExampleSecret() {
	key := resolver.NewSecret("sk_test_fake_main_0042_extra")
	fmt.Println(key.Reveal())
	fmt.Println(key)
	fmt.Printf("%+v %#v\n", struct{ StripeKey resolver.Secret[string] }{key}, key)
	port := resolver.NewSecret(5432)
	fmt.Println(port.Reveal()+1, port)
	j, _ := json.Marshal(map[string]any{"key": key, "port": port})
	fmt.Println(string(j))
	// Output:
	// sk_test_fake_main_0042_extra
	// sk_t…ra
	// {StripeKey:sk_t…ra} "sk_t…ra"
	// 5433 ****
	// {"key":"sk_t…ra","port":"****"}
}
