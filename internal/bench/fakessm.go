package bench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
)

// fakeSSM answers GetParameters from memory, concurrently, in
// microseconds, the way SSM serves parallel requests (moto, a Python
// server, handles one at a time: about 5 ms each here). It holds the same
// secrets as putSecrets. It listens on localhost; close stops it.
func fakeSSM(n int) (url string, close func()) {
	params := map[string]string{}
	for i := range n {
		params[pathOf(i)] = fakeValue(i)
	}
	type param struct{ Name, Value, Type, ARN string }
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Names []string }
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetParameters") || json.NewDecoder(r.Body).Decode(&in) != nil {
			http.Error(w, "fakessm: only GetParameters", http.StatusBadRequest)
			return
		}
		out := struct {
			Parameters        []param
			InvalidParameters []string
		}{Parameters: []param{}, InvalidParameters: []string{}}
		for _, name := range in.Names {
			if v, ok := params[name]; ok {
				out.Parameters = append(out.Parameters, param{name, v, "SecureString", "arn:aws:ssm:us-east-1:123456789012:parameter" + name})
			} else {
				out.InvalidParameters = append(out.InvalidParameters, name)
			}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(out)
	}))
	return s.URL, s.Close
}
