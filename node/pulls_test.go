package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// One sync at a time pulls an author; the others wait or skip, and the
// bookkeeping is gone once nobody pulls.
func TestPullsOneAuthorAtATime(t *testing.T) {
	p := newPulls()
	a, b := protocol.Key{1}, protocol.Key{2}
	release := p.try(a)
	if release == nil {
		t.Fatal("the first sync could not take author a")
	}
	if p.try(a) != nil {
		t.Fatal("a second sync took author a while the first held it")
	}
	other := p.try(b)
	if other == nil {
		t.Fatal("author b was busy while only a was held")
	}
	other()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if _, err := p.wait(ctx, a); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait for a held author = %v, want the context's deadline", err)
	}
	cancel()

	got := make(chan func(), 1)
	go func() {
		r, err := p.wait(context.Background(), a)
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("wait returned while another sync held the author")
	case <-time.After(10 * time.Millisecond):
	}
	release()
	(<-got)()
	p.mu.Lock()
	left := len(p.authors)
	p.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d author slots left after every sync finished", left)
	}
}
