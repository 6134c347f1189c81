// Package notmain is not a main package: an Entry pointing here is an error.
package notmain

// X is here so the package has a declaration.
const X = 1
