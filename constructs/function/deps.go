package function

// The construct links the resolver, whose modules are what generated env
// packages need: a user's go.mod, tidied while the app imports only this
// package and before any env package exists, then builds every handler of
// the app's module at the first synth with no `go mod tidy` in between
// (TestResolverModulesAreTheConstructs).
import _ "github.com/fnenv/fnenv/resolver"
