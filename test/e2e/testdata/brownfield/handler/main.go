// Command handler answers with the SHA-256 of each value its env package
// resolved, never a value, for the end-to-end test of issue 23.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fnenv/fnenv/test/e2e/testdata/brownfield/handler/env"
)

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func main() {
	lambda.Start(func(ctx context.Context) (map[string]string, error) {
		e, err := env.Load(ctx)
		if err != nil {
			return nil, err
		}
		out := map[string]string{"LegacyPw": sum(e.LegacyPw.Reveal()), "EuPw": sum(e.EuPw.Reveal())}
		v := reflect.ValueOf(*e)
		for i := range v.NumField() { // the literals and the parameter: the secrets are resolver.Secret
			if f := v.Field(i); f.Kind() == reflect.String {
				out[v.Type().Field(i).Name] = sum(f.String())
			}
		}
		return out, nil
	})
}
