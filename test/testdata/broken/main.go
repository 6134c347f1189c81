// Command broken does not compile: the construct's tests expect its
// compiler output in the synth error.
package main

func main() {
	undefinedHandlerFunc()
}
