package gensupport

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/fnenv/fnenv/resolver/internal/mask"
)

// Field is one field of a generated Env (or of Values) as it prints.
type Field struct {
	// Name is the Go field name, e.g. "APIKey".
	Name string
	// Value is the field's value.
	Value any
	// Secret masks Value when printed: a Values entry read from a secret.
	// A generated Env's secret field needs no flag: it is a
	// resolver.Secret, which prints its mask itself.
	Secret bool
}

// Format writes fields as fmt writes a struct of type typeName holding
// them, in any verb and with its flags ("%v" {a b}, "%+v" {A:a B:b}, "%#v"
// pkg.T{A:"a", B:"b"}), with each Secret field replaced by the mask of its
// text (a URL's String, a list joined with ',', JSON's bytes, a number's
// decimal form), as resolver.Secret's String. Generated Env types call it
// from their Format method.
func Format(f fmt.State, verb rune, typeName string, fields []Field) {
	sharp := verb == 'v' && f.Flag('#')
	named := sharp || verb == 'v' && f.Flag('+')
	each := fmt.FormatString(f, verb)
	if sharp {
		io.WriteString(f, typeName)
	}
	io.WriteString(f, "{")
	for i, fl := range fields {
		switch {
		case i > 0 && sharp:
			io.WriteString(f, ", ")
		case i > 0:
			io.WriteString(f, " ")
		}
		if named {
			io.WriteString(f, fl.Name+":")
		}
		val := fl.Value
		if fl.Secret {
			val = mask.Any(val)
		}
		fmt.Fprintf(f, each, val)
	}
	io.WriteString(f, "}")
}

// LogValue is fields as an slog group, each secret masked as in Format.
// Generated Env types return it from their LogValue method, so that
// slog.Info("env", "env", e) shows no secret.
func LogValue(fields []Field) slog.Value {
	attrs := make([]slog.Attr, len(fields))
	for i, fl := range fields {
		val := fl.Value
		if fl.Secret {
			val = mask.Any(val)
		}
		attrs[i] = slog.Any(fl.Name, val)
	}
	return slog.GroupValue(attrs...)
}

func (v Values) fields() []Field {
	var fs []Field
	if v.decl != nil {
		fs = make([]Field, 0, len(v.decl.Vars))
		for _, x := range v.decl.Vars {
			fs = append(fs, Field{Name: x.Name, Value: v.vals[x.Name], Secret: x.IsSecret()})
		}
	}
	return fs
}

// Format prints the values by variable name, every secret masked (see
// the package-level Format), in every fmt verb.
func (v Values) Format(f fmt.State, verb rune) { Format(f, verb, "gensupport.Values", v.fields()) }

// String is the values as %v prints them: secrets masked.
func (v Values) String() string { return fmt.Sprint(v) }

// GoString is the values as %#v prints them: secrets masked.
func (v Values) GoString() string { return fmt.Sprintf("%#v", v) }

// LogValue is the values as an slog group: secrets masked.
func (v Values) LogValue() slog.Value { return LogValue(v.fields()) }
