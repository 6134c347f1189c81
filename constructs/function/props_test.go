package function

import (
	"reflect"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
)

// Every option of an awslambda.Function reaches its props: lambdaProps
// copies by name, so a FunctionOptions field without a twin would panic.
func TestLambdaPropsCopiesEveryOption(t *testing.T) {
	var o awslambda.FunctionOptions
	v := reflect.ValueOf(&o).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		}
	}
	p := reflect.ValueOf(*lambdaProps(o))
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if got := p.FieldByName(name); !got.IsValid() || !reflect.DeepEqual(got.Interface(), v.Field(i).Interface()) {
			t.Errorf("FunctionProps.%s = %v, want FunctionOptions.%s", name, got, name)
		}
	}
}
