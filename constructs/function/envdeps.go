package function

// The env packages the construct generates import these packages. Importing
// them here too means that a module tidied before its first synth (`go mod
// tidy` when no env package exists yet) already requires every module the
// env packages need — godotenv for a local build of the resolver, the AWS
// SDK's Secrets Manager client — so that `go build` and `go test` of the
// handlers work after the synth without another tidy.
import (
	_ "github.com/fnenv/fnenv/resolver"
	_ "github.com/fnenv/fnenv/resolver/gensupport"
	_ "github.com/fnenv/fnenv/resolver/smfetch"
)
