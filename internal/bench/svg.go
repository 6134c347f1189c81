package bench

import (
	"fmt"
	"io"
	"time"
)

// BurstSVG is the file name of the burst plot, next to the report.
const BurstSVG = "burst.svg"

// WriteBurstSVG plots cold starts resolved over time for each burst
// result — fnenv's policy and "before" drawn bold, the other ideas thin —
// with Lambda's 10 s init line and the physical limit: the most cold
// starts the admitted rate can have resolved by each time. Hand-written
// SVG: a few polylines need no plotting library.
func WriteBurstSVG(w io.Writer, results []*BurstResult) {
	if len(results) == 0 {
		return
	}
	const (
		width, height        = 760, 420
		left, right, top, bt = 60, 200, 30, 50
		pw, ph               = width - left - right, height - top - bt
	)
	c := results[0].Config
	tmax := 10 * time.Second
	for _, r := range results {
		tmax = max(tmax, r.Last)
	}
	secsMax := float64(int(tmax.Seconds()/5)+1) * 5
	x := func(s float64) float64 { return left + s/secsMax*pw }
	y := func(n float64) float64 { return top + ph - n/float64(c.ColdStarts)*ph }
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`, width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="white"/>`)
	p(`<text x="%d" y="18" font-size="14">%d cold starts × %d secrets at %.0f requests/s: cold starts resolved over time</text>`, left, c.ColdStarts, c.Secrets, c.Rate)
	// Axes and grid.
	for s := 0.0; s <= secsMax; s += 5 {
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`, x(s), top, x(s), top+ph)
		p(`<text x="%.1f" y="%d" text-anchor="middle">%.0f s</text>`, x(s), top+ph+16, s)
	}
	for n := 0; n <= c.ColdStarts; n += 50 {
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, left, y(float64(n)), left+pw, y(float64(n)))
		p(`<text x="%d" y="%.1f" text-anchor="end">%d</text>`, left-6, y(float64(n))+4, n)
	}
	p(`<text x="%d" y="%d" text-anchor="middle">time since the burst started</text>`, left+pw/2, height-12)
	p(`<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">cold starts resolved</text>`, top+ph/2, top+ph/2)
	// Lambda's init limit.
	p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c00" stroke-dasharray="6 4"/>`, x(10), top, x(10), top+ph)
	p(`<text x="%.1f" y="%d" fill="#c00">10 s: Lambda's init</text>`, x(10)+4, top+12)
	// Physical limit of fnenv's workload: (Rate + Rate·t) / requests per cold start.
	per := results[len(results)-1].PerStart
	for _, r := range results {
		if r.Policy.Fnenv {
			per = r.PerStart
		}
	}
	var pts string
	for s := 0.0; s <= secsMax; s += 0.25 {
		pts += fmt.Sprintf("%.1f,%.1f ", x(s), y(min(float64(c.ColdStarts), (c.Rate+c.Rate*s)/float64(per))))
	}
	p(`<polyline points="%s" fill="none" stroke="#888" stroke-dasharray="2 3"/>`, pts)
	colors := []string{"#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#1f77b4", "#2ca02c"}
	ly := top + 10
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888" stroke-dasharray="2 3"/><text x="%d" y="%d">physical limit (%d requests each)</text>`, left+pw+10, ly, left+pw+30, ly, left+pw+34, ly+4, per)
	for i, r := range results {
		col := colors[i%len(colors)]
		sw, op := "1.2", "0.6"
		if r.Policy.Fnenv || r.Policy.Name == "before" {
			sw, op = "2.5", "1"
		}
		if r.Policy.Fnenv {
			col = "#2ca02c"
		} else if r.Policy.Name == "before" {
			col = "#d62728"
		}
		pts := fmt.Sprintf("%.1f,%.1f ", x(0), y(0))
		for j, t := range r.Times {
			pts += fmt.Sprintf("%.1f,%.1f %.1f,%.1f ", x(t.Seconds()), y(float64(j)), x(t.Seconds()), y(float64(j+1)))
		}
		p(`<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" stroke-opacity="%s"/>`, pts, col, sw, op)
		ly += 18
		p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%s" stroke-opacity="%s"/><text x="%d" y="%d">%s: %d in 10 s</text>`, left+pw+10, ly, left+pw+30, ly, col, sw, op, left+pw+34, ly+4, r.Policy.Name, r.Within10s)
	}
	p(`</svg>`)
}
