// Command say-hello is the handler of ExampleNew.
package main

func main() {}
