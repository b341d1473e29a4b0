package testnet

import (
	"context"
	"strings"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// showMotions narrates what `kring motions` shows on observer's node once
// it counts the first vote for motion: the count as "n of threshold", who
// voted, when it opened, and what enacting it would do.
func (d *demo) showMotions(ctx context.Context, observer string, motion protocol.Motion) error {
	nd := d.net.M(observer).Node()
	id := motion.Hash().String()
	var seen api.MotionInfo
	_, err := until(ctx, name(observer)+" to count the first vote", func() bool {
		ms, err := api.Motions(ctx, nd)
		if err != nil {
			return false
		}
		for _, m := range ms {
			if m.ID == id && m.Votes > 0 {
				seen = m
				return true
			}
		}
		return false
	})
	if err != nil {
		return err
	}
	var voters []string
	for _, v := range seen.Voters {
		k, err := protocol.ParseKey(v.Key)
		if err != nil {
			return err
		}
		voters = append(voters, protocol.Label(v.Name, k))
	}
	d.tl.say("`kring motions` on %s: %s %s, %d of %d votes, voted by %s, opened %s UTC",
		name(observer), seen.Kind, seen.SubjectName, seen.Votes, seen.Needed, strings.Join(voters, ", "), seen.OpenedAt.Format("15:04:05"))
	d.tl.note("if enacted: %s; %s", seen.Effect, seen.Next)
	return nil
}
