package testnet

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kring-circle/kring/protocol"
)

// publishMany has each named member publish count advisories, members in
// parallel, and returns the first error.
func publishMany(ctx context.Context, net *Net, count int, names ...string) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(names))
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range count {
				if _, err := net.M(name).Advise(ctx, fmt.Sprintf("%s indicator batch %d", name, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Scenario 4: a node stopped while 1,000 ops are published restarts and
// reaches an identical State and op set through sync, redialling the
// members from its address book.
func TestRestartedNodeCatchesUp(t *testing.T) {
	net, ctx := circle(t, founders...)
	e := net.M("E")
	if err := WaitFor(ctx, "E to remember where the others listen", func() bool {
		book, err := e.Node().AddrBook()
		return err == nil && len(book) == 4
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	// E comes back on other ports and with no configured peers: only its
	// address book can bring it back into the circle.
	e.NewPorts()
	start := time.Now()
	if err := publishMany(ctx, net, 250, "A", "B", "C", "D"); err != nil {
		t.Fatal(err)
	}
	t.Logf("1000 ops published by four nodes in %v", time.Since(start).Round(time.Millisecond))
	if err := net.WaitConverged(ctx, "A", "B", "C", "D"); err != nil {
		t.Fatal(err)
	}
	restart := time.Now()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := net.WaitConverged(ctx, founders...); err != nil {
		t.Fatal(err)
	}
	t.Logf("E caught up on 1000 ops %v after its restart", time.Since(restart).Round(time.Millisecond))
	if n, _ := e.Node().StoredOps(); n != 1001 {
		t.Errorf("E stores %d ops, want 1001 (genesis and 1000 advisories)", n)
	}
}

// Scenario 6: partition {A,B} | {C,D,E} with ops published on both sides;
// after healing, all five converge to the identical op set and State.
func TestPartitionHeals(t *testing.T) {
	net, ctx := circle(t, founders...)
	left, right := []string{"A", "B"}, []string{"C", "D", "E"}
	net.Cut(left, right)
	if err := publishMany(ctx, net, 20, "A", "C"); err != nil {
		t.Fatal(err)
	}
	// Both sides endorse the same applicant: neither side alone has the
	// three endorsements the charter asks.
	x := must[*Member](t)(net.Add("X"))
	var votes []*protocol.Op
	for _, v := range []string{"A", "C", "D"} {
		votes = append(votes, must[*protocol.Op](t)(net.M(v).Vote(ctx, x.Admit())))
	}
	if err := net.WaitConverged(ctx, left...); err != nil {
		t.Fatal(err)
	}
	if err := net.WaitConverged(ctx, right...); err != nil {
		t.Fatal(err)
	}
	if has, _ := net.M("A").Node().Has(votes[1].Hash()); has {
		t.Fatal("C's endorsement crossed the partition")
	}
	if ok, _ := net.Converged(founders...); ok {
		t.Fatal("both sides hold the same log while cut")
	}
	for _, name := range founders {
		if got := net.M(name).Node().State().Key(x.Key).Missing(); got == 0 {
			t.Fatalf("%s counts all endorsements of X during the partition", name)
		}
	}
	heal := time.Now()
	net.Heal()
	if err := net.WaitConverged(ctx, founders...); err != nil {
		t.Fatal(err)
	}
	t.Logf("five nodes converged %v after the partition healed", time.Since(heal).Round(time.Millisecond))
	for _, name := range founders {
		if ks := net.M(name).Node().State().Key(x.Key); ks.Endorsements != 3 || ks.Missing() != 0 {
			t.Errorf("after healing, %s sees X as %s, want 3 endorsements", name, ks)
		}
	}
}
