package resolver

// Mask returns a form of a secret's value safe to show in a log line or a
// demo: "****" and, for values of 16 bytes or more, their last 4 bytes
// ("****0042"); "" stays "" so that an empty value is visible as such.
func Mask(value string) string {
	switch {
	case value == "":
		return ""
	case len(value) < 16:
		return "****"
	}
	return "****" + value[len(value)-4:]
}
