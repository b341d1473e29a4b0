package bench

import (
	"context"
	"fmt"
	"time"
)

// maxFounders is the most founders a genesis takes (protocol's limit);
// larger circles admit the rest.
const maxFounders = 60

// growCircle founds a circle of n nodes: at most maxFounders founders,
// the rest admitted one by one (k founders endorse, the newcomer's node
// enrols), then connected in a full mesh. It returns the circle and every
// member's name.
func growCircle(ctx context.Context, opts circleOpts, n int) (*circle, []string, error) {
	all := names(n)
	opts.founders = all[:min(n, maxFounders)]
	c, err := newCircle(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := c.start(ctx, opts.founders...); err != nil {
		c.close()
		return nil, nil, err
	}
	for _, name := range all[len(opts.founders):] {
		if err := admitQuietly(ctx, c, opts.founders, name); err != nil {
			c.close()
			return nil, nil, fmt.Errorf("admitting %s: %w", name, err)
		}
	}
	if err := c.connectAll(ctx); err != nil {
		c.close()
		return nil, nil, err
	}
	err = waitUntil(ctx, time.Minute, "every node to see every member", func() bool {
		for _, name := range all {
			if len(c.M(name).Node().State().SharingSet()) < n {
				return false
			}
		}
		return true
	})
	if err != nil {
		c.close()
		return nil, nil, err
	}
	return c, all, nil
}

// admitQuietly endorses name by k founders and has its node enrol.
func admitQuietly(ctx context.Context, c *circle, founders []string, name string) error {
	x, err := c.add(name)
	if err != nil {
		return err
	}
	k := int(c.M(founders[0]).Node().State().Charter.Admit)
	for _, v := range founders[:k] {
		if _, err := c.M(v).Vote(ctx, x.Admit()); err != nil {
			return err
		}
	}
	err = waitUntil(ctx, 30*time.Second, "the endorsements", func() bool {
		return c.M(founders[0]).Node().State().Key(x.Key).Missing() == 0
	})
	if err != nil {
		return err
	}
	x.SetPeers(c.M(founders[0]))
	if err := x.Start(ctx); err != nil {
		return err
	}
	return waitUntil(ctx, 30*time.Second, name+" to enrol", func() bool {
		return connectedToAny(x, c, founders[:1]) && tryEnrol(ctx, x)
	})
}
