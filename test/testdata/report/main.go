// Command report is a second fixture handler, for tests that need two
// functions with entries of their own.
package main

func main() {}
