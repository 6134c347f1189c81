package model

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// The entry rule, the one place the construct, the generator and the CLI
// read it from: how an entry is spelled (CleanEntry). Where the app's
// module root is and which Go module builds a handler read the file system
// and go/build: package internal/srctree.

// CleanEntry returns the canonical form of a function's entry: the
// handler's main package directory, relative to the module root and
// slash-separated, without "./" or a trailing slash. A path ending in
// ".go" names a file of the package; its directory is the entry. So
// "./lambda/orders", "lambda/orders/", "lambda/orders/main.go" and
// "lambda/orders" are one entry, "lambda/orders".
//
// It fails when entry is empty, absolute, uses '\' or leaves the module
// root (".."), or names the module root itself, which holds the CDK app's
// own main package.
func CleanEntry(entry string) (string, error) {
	switch {
	case entry == "":
		return "", errors.New("must not be empty: give the handler's main package (a directory or its main.go), relative to the module root")
	case strings.Contains(entry, `\`):
		return "", fmt.Errorf("%q must be clean and slash-separated: write %q", entry, path.Clean(strings.ReplaceAll(entry, `\`, "/")))
	case path.IsAbs(entry) || filepath.IsAbs(entry):
		return "", fmt.Errorf("%q must be a path relative to the module root, inside it", entry)
	}
	e := path.Clean(entry)
	if strings.HasSuffix(e, ".go") {
		e = path.Dir(e)
	}
	switch {
	case e == ".." || strings.HasPrefix(e, "../"):
		return "", fmt.Errorf("%q must be a path relative to the module root, inside it", entry)
	case e == ".":
		return "", fmt.Errorf("%q is the module root, which holds the CDK app: give the handler's own directory, like \"app/functions/say-hello\"", entry)
	}
	return e, nil
}
