package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Report is everything one run measured; results.json holds it as is.
type Report struct {
	// Machine describes where it ran.
	Machine Machine `json:"machine"`
	// Quick is true for the reduced run.
	Quick bool `json:"quick"`
	// Started is when the run began; Elapsed how long it took.
	Started time.Time `json:"started"`
	Elapsed string    `json:"elapsed"`
	// Scenarios are the measured scenarios, in the order they ran.
	Scenarios []*Scenario `json:"scenarios"`
}

// Outcomes of a scenario against its goal.
const (
	Met         = "met"
	Missed      = "missed"
	NotMeasured = "not measured"
)

// Scenario is one measured question, its goal and what came out.
type Scenario struct {
	// ID is the scenario's number in the issue (1–7).
	ID int `json:"id"`
	// Name is a short name, e.g. "propagation".
	Name string `json:"name"`
	// Method says how the figure was measured.
	Method string `json:"method"`
	// Goal is the goal.
	Goal string `json:"goal"`
	// Outcome is Met, Missed or NotMeasured, followed by the circle size
	// it was judged at when the run stopped short of the goal's.
	Outcome string `json:"outcome"`
	// Finding is the one-line answer: the figure against the goal.
	Finding string `json:"finding"`
	// Notes explain shortfalls, caveats and what was left out.
	Notes []string `json:"notes,omitempty"`
	// Rows are the figures.
	Rows []Row `json:"rows"`
	// Charts are chart file names in the output directory.
	Charts []string `json:"charts,omitempty"`
	// Elapsed is the scenario's wall time.
	Elapsed string `json:"elapsed"`
}

// Row is one figure of one system in one case.
type Row struct {
	// Case is e.g. "N=10" or "via sync".
	Case string `json:"case"`
	// System is "kring" or the baseline's name.
	System string `json:"system"`
	// N is the number of nodes, if it applies.
	N int `json:"n,omitempty"`
	// Payload is the size in bytes of each op or message, if it applies.
	Payload int `json:"payload_bytes,omitempty"`
	// Unit is the unit of the summary, e.g. "ms" or "ops/s".
	Unit string `json:"unit"`
	Summary
	// Ratio is Kring's median (or p99, see RatioOf) over the baseline's
	// in the same case; 0 on baseline rows.
	Ratio float64 `json:"ratio,omitempty"`
	// RatioOf names the statistic Ratio compares.
	RatioOf string `json:"ratio_of,omitempty"`
	// Extra holds secondary figures of the row.
	Extra map[string]float64 `json:"extra,omitempty"`
}

// row makes a Row from samples.
func row(c, system string, n, payload int, unit string, xs []float64) Row {
	return Row{Case: c, System: system, N: n, Payload: payload, Unit: unit, Summary: summarize(xs)}
}

// notMeasured marks s as not measured for reason.
func (s *Scenario) notMeasured(reason string) {
	s.Outcome = NotMeasured
	s.Finding = reason
}

// judge sets the outcome from ok and the finding.
func (s *Scenario) judge(ok bool, finding string, args ...any) {
	s.Outcome = Missed
	if ok {
		s.Outcome = Met
	}
	s.Finding = fmt.Sprintf(finding, args...)
}

// short marks an outcome judged below the goal's circle size.
func (s *Scenario) short(reached, goal int) {
	if reached < goal && s.Outcome != NotMeasured {
		s.Outcome = fmt.Sprintf("%s at N = %d only (goal at N = %d)", s.Outcome, reached, goal)
	}
}

// note adds a note to s.
func (s *Scenario) note(format string, args ...any) {
	s.Notes = append(s.Notes, fmt.Sprintf(format, args...))
}

// write saves results.json and report.md in dir.
func (r *Report) write(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: encoding results: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var md strings.Builder
	r.markdown(&md)
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(md.String()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// summaryTable writes the one-line-per-scenario table in Markdown.
func (r *Report) summaryTable(w io.Writer) {
	fmt.Fprintln(w, "| # | scenario | measured | goal | outcome |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, s := range r.Scenarios {
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s |\n", s.ID, s.Name, s.Finding, s.Goal, s.Outcome)
	}
}

// markdown writes the full report.
func (r *Report) markdown(w io.Writer) {
	mode := "full"
	if r.Quick {
		mode = "quick (--quick: fewer nodes, ops and runs)"
	}
	fmt.Fprintf(w, "# Kring benchmark report\n\n")
	fmt.Fprintf(w, "- date: %s; mode: %s; elapsed: %s\n", r.Started.UTC().Format(time.RFC3339), mode, r.Elapsed)
	fmt.Fprintf(w, "- machine: %s\n", r.Machine)
	fmt.Fprintf(w, "- every node runs in this one process; percentiles are nearest-rank over the runs (with few runs, p99 is the maximum)\n\n")
	fmt.Fprintf(w, "## Summary\n\n")
	r.summaryTable(w)
	for _, s := range r.Scenarios {
		fmt.Fprintf(w, "\n## %d. %s\n\n", s.ID, s.Name)
		fmt.Fprintf(w, "**Goal:** %s. **Outcome:** %s: %s.\n\n", s.Goal, s.Outcome, s.Finding)
		fmt.Fprintf(w, "**Method.** %s (%s)\n\n", s.Method, s.Elapsed)
		if len(s.Rows) > 0 {
			fmt.Fprintln(w, "| case | system | N | payload B | unit | runs | median | p95 | p99 | ratio |")
			fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
			for _, x := range s.Rows {
				ratio := ""
				if x.Ratio != 0 {
					ratio = fmt.Sprintf("%.2f× (%s)", x.Ratio, x.RatioOf)
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %s | %s | %s | %s |\n", x.Case, x.System, blank(x.N), blank(x.Payload),
					x.Unit, x.Runs, num(x.Median), num(x.P95), num(x.P99), ratio)
			}
			fmt.Fprintln(w)
		}
		for _, n := range s.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
		for _, c := range s.Charts {
			fmt.Fprintf(w, "\n![%s](%s)\n", s.Name, c)
		}
	}
}

// blank prints 0 as nothing.
func blank(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// num prints a figure with sensible precision.
func num(x float64) string {
	switch {
	case x >= 100 || x <= -100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10 || x <= -10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}
