package bench

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	d := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n))
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		want Stats
	}{
		{"empty", nil, Stats{}},
		{"one", d(5), Stats{N: 1, Min: 5, P50: 5, P90: 5, P99: 5, Max: 5}},
		{"unsorted ten", d(10, 1, 9, 2, 8, 3, 7, 4, 6, 5), Stats{N: 10, Min: 1, P50: 5, P90: 9, P99: 10, Max: 10}},
		{"four", d(4, 3, 2, 1), Stats{N: 4, Min: 1, P50: 2, P90: 4, P99: 4, Max: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarize(tt.in)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Summarize(%v) (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: github.com/fnenv/fnenv/resolver
cpu: AMD EPYC
BenchmarkLoadWarm-2           	19274926	        62.49 ns/op	       0 B/op	       0 allocs/op
BenchmarkLoadColdInMemory-2   	   15860	     77767 ns/op	   33678 B/op	     290 allocs/op
PASS
ok  	github.com/fnenv/fnenv/resolver	2.467s
`
	got := parseGoBench(out)
	want := []GoBench{
		{Name: "BenchmarkLoadWarm-2", Iterations: "19274926", NsPerOp: "62.49", BytesPerOp: "0", AllocsPerOp: "0"},
		{Name: "BenchmarkLoadColdInMemory-2", Iterations: "15860", NsPerOp: "77767", BytesPerOp: "33678", AllocsPerOp: "290"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("parseGoBench (-got +want):\n%s", diff)
	}
}

func TestWriteBurstSVG(t *testing.T) {
	cfg := BurstConfig{ColdStarts: 4, Secrets: 10, Rate: 40}
	s := time.Second
	results := []*BurstResult{
		{Config: cfg, Policy: BurstPolicy{Name: "before"}, PerStart: 2, Times: []time.Duration{2 * s, 9 * s, 11 * s, 14 * s}, Within10s: 2},
		{Config: cfg, Policy: BurstPolicy{Name: "after (fnenv)", Fnenv: true}, PerStart: 2, Times: []time.Duration{1 * s, 3 * s, 5 * s, 12 * s}, Within10s: 3},
	}
	for _, r := range results {
		r.Last = r.Times[len(r.Times)-1]
	}
	var buf strings.Builder
	WriteBurstSVG(&buf, results)
	var doc struct {
		XMLName   xml.Name
		Polylines []struct {
			Points string `xml:"points,attr"`
		} `xml:"polyline"`
		Texts []string `xml:"text"`
	}
	if err := xml.Unmarshal([]byte(buf.String()), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if doc.XMLName.Local != "svg" || len(doc.Polylines) != 3 { // the physical limit and one step line per result
		t.Errorf("root %q with %d polylines, want svg with 3", doc.XMLName.Local, len(doc.Polylines))
	}
	for _, want := range []string{"10 s: Lambda's init", "physical limit (2 requests each)", "before: 2 in 10 s", "after (fnenv): 3 in 10 s"} {
		if !slices.Contains(doc.Texts, want) {
			t.Errorf("no text %q in %q", want, doc.Texts)
		}
	}
}
