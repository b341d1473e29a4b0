package bench

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// charts draws the charts the scenarios ask for; a scenario that was not
// measured gets none.
func (e *env) charts(r *Report) error {
	var errs []error
	for _, s := range r.Scenarios {
		if s.Outcome == NotMeasured {
			s.Charts = nil
			continue
		}
		for _, name := range s.Charts {
			var err error
			switch name {
			case "propagation.png":
				err = lineChart(filepath.Join(e.out, name), "Propagation to the last node", "nodes (N)", "ms",
					s.Rows, func(x Row) (string, float64) { return x.System + " p50", x.Median },
					func(x Row) (string, float64) { return x.System + " p99", x.P99 })
			case "scale.png":
				err = lineChart(filepath.Join(e.out, name), "Traffic per node per advisory", "nodes (N)", "bytes",
					filterUnit(s.Rows, "bytes"), func(x Row) (string, float64) { return x.System, x.Median })
			case "ingest.png":
				err = barChart(filepath.Join(e.out, name), "Ingest throughput", "ops/s", s.Rows)
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func filterUnit(rows []Row, unit string) []Row {
	var out []Row
	for _, x := range rows {
		if x.Unit == unit {
			out = append(out, x)
		}
	}
	return out
}

// lineChart plots, against N, one line per label that the series
// functions give each row.
func lineChart(path, title, xlabel, ylabel string, rows []Row, series ...func(Row) (string, float64)) error {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	lines := map[string]plotter.XYs{}
	var order []string
	for _, x := range rows {
		for _, f := range series {
			label, y := f(x)
			if _, ok := lines[label]; !ok {
				order = append(order, label)
			}
			lines[label] = append(lines[label], plotter.XY{X: float64(x.N), Y: y})
		}
	}
	var args []any
	for _, label := range order {
		pts := lines[label]
		slices.SortFunc(pts, func(a, b plotter.XY) int { return int(a.X - b.X) })
		args = append(args, label, pts)
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return fmt.Errorf("bench: chart: %w", err)
	}
	p.Legend.Top = true
	p.Y.Min = 0
	return save(p, path)
}

// barChart plots each row's median as a bar.
func barChart(path, title, ylabel string, rows []Row) error {
	p := plot.New()
	p.Title.Text, p.Y.Label.Text = title, ylabel
	var vals plotter.Values
	var labels []string
	for _, x := range rows {
		vals = append(vals, x.Median)
		labels = append(labels, x.System+" "+x.Case)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(30))
	if err != nil {
		return fmt.Errorf("bench: chart: %w", err)
	}
	p.Add(bars)
	p.NominalX(labels...)
	return save(p, path)
}

func save(p *plot.Plot, path string) error {
	if err := p.Save(8*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return fmt.Errorf("bench: chart: %w", err)
	}
	return nil
}
