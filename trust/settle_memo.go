package trust

// memo is a settler's cache of what it computed per closure, in two
// generations. A lookup that hits the older generation moves the entry to
// the current one; when the current one is full, it becomes the older and
// the older is dropped. So the cache keeps what recent ops read, a few
// thousand closures back, and memory does not grow with the log. An entry
// dropped is computed again if an op that cites far back asks for it:
// every value is a function of its key alone.
type memo[K comparable, V any] struct {
	cur, old map[K]V
	limit    int
}

func newMemo[K comparable, V any](limit int) *memo[K, V] {
	return &memo[K, V]{cur: make(map[K]V), limit: limit}
}

func (m *memo[K, V]) get(k K) (V, bool) {
	if v, ok := m.cur[k]; ok {
		return v, true
	}
	v, ok := m.old[k]
	if ok {
		m.put(k, v)
	}
	return v, ok
}

func (m *memo[K, V]) put(k K, v V) {
	if len(m.cur) >= m.limit {
		m.old, m.cur = m.cur, make(map[K]V, m.limit)
	}
	m.cur[k] = v
}

// memoLimits are the sizes of a settler's memo generations: an op's
// evaluation reads a few entries of each, for closures of the last few
// hundred ops, and a judgement of a 200-member circle costs tens of KiB.
// marks is the spacing of the closures whose Z the settler keeps for good
// (settler.raws), 0 for none: one op's closure in 64 bounds what a
// dropped closure costs to compute again.
var memoLimits = struct{ raws, marks, pasts, evals, views, ackViews int }{raws: 4096, marks: 64, pasts: 2048, evals: 2048, views: 256, ackViews: 1024}
