//go:build !lambda.norpc

package resolver

import (
	"errors"
	"io/fs"
	"os"

	"github.com/joho/godotenv"

	"github.com/fnenv/fnenv/model"
)

// fromDotenv reads every variable from the process environment, else from
// the dotenv file. Production handlers leave it out (dotenv_norpc.go):
// godotenv brings os/exec and regexp into the binary, and Lambda never
// reads a dotenv file.
func (l *Loader[T]) fromDotenv(file string) (map[string]string, error) {
	fileVals, err := godotenv.Read(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, l.errorf("reading the dotenv file named by %s: %w", model.EnvDotenv, err)
		}
		// godotenv's parse errors quote the file's content, which may hold
		// a secret.
		return nil, l.errorf("the dotenv file %s named by %s is not in dotenv syntax (KEY=value lines)", file, model.EnvDotenv)
	}
	vals := make(map[string]string, len(l.decl.Vars))
	var missing []error
	for _, v := range l.decl.Vars {
		val, ok := os.LookupEnv(v.Name)
		if !ok {
			val, ok = fileVals[v.Name]
		}
		if !ok {
			what := "literal"
			switch {
			case v.Secret != "":
				what = "secret variable " + v.Name + " (secret " + v.Secret + ")"
			case v.SecretsManager != "":
				what = "Secrets Manager variable " + v.Name + " (secret " + v.SecretsManager + ")"
			case v.Parameter != "":
				what = "parameter variable " + v.Name + " (parameter " + v.Parameter + ")"
			default:
				what += " " + v.Name
			}
			missing = append(missing, l.errorf("%s is set neither in the environment nor in the dotenv file %s (%s)", what, file, model.EnvDotenv))
		}
		vals[v.Name] = val
	}
	if len(missing) > 0 {
		return nil, errors.Join(missing...)
	}
	return vals, nil
}
