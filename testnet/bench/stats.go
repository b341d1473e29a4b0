package bench

import (
	"math"
	"slices"
	"time"
)

// Summary is the distribution of one figure over repeated runs.
type Summary struct {
	// Runs is the number of samples.
	Runs int `json:"runs"`
	// Median, P95 and P99 are nearest-rank percentiles of the samples.
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	// Min and Max bound the samples.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// summarize returns the distribution of xs; the zero Summary if empty.
func summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return Summary{
		Runs:   len(s),
		Median: rank(s, 0.50),
		P95:    rank(s, 0.95),
		P99:    rank(s, 0.99),
		Min:    s[0],
		Max:    s[len(s)-1],
	}
}

// rank is the nearest-rank percentile q of sorted s.
func rank(s []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// millis converts durations to milliseconds.
func millis(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d) / float64(time.Millisecond)
	}
	return out
}
