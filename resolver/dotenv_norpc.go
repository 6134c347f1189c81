//go:build lambda.norpc

package resolver

import "github.com/fnenv/fnenv/model"

// fromDotenv fails: a handler built with the tag lambda.norpc (the function
// construct's build for Lambda) has no dotenv reader, which would link
// godotenv, os/exec and regexp into every production binary. Lambda ignores
// FNENV_DOTENV anyway; this runs only outside Lambda.
func (l *Loader[T]) fromDotenv(file string) (map[string]string, error) {
	return nil, l.errorf("%s=%s is set, but this binary was built with -tags lambda.norpc (the function construct's build for Lambda), which leaves the dotenv reader out: run the handler with `go run` or build it without that tag to read a dotenv file", model.EnvDotenv, file)
}
