package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// resolve turns a KEY argument into a member key, asking the daemon for
// the members unless it is a full key.
func (cn *conn) resolve(ctx context.Context, arg string) (protocol.Key, []api.MemberInfo, error) {
	members, err := cn.c.Members(ctx)
	if err != nil {
		return protocol.Key{}, nil, cn.explain("looking up "+arg, err)
	}
	k, err := matchKey(arg, members)
	return k, members, err
}

func (a *app) blockCommand() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:     "block KEY --reason TEXT",
		GroupID: "act",
		Short:   "Block a party on this node alone, at once",
		Long: `Block refuses KEY on this node at once: it disconnects it, refuses its
connections and ops, and stops serving it. Nothing is published; other
nodes are not affected (use suspend or revoke for that). KEY is a full key,
a unique prefix of 8+ hex digits, or an organisation name.`,
		Example: `  kring block "Example MSP" --reason "leaked a TLP:RED advisory"
  kring block 5363535c --reason "investigating"`,
		Args: exactArgs(1, "KEY (a key, a prefix of 8+ hex digits, or an organisation name)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErrorf("block needs --reason TEXT: why this node blocks the party, for its operators (kring blocks lists it)")
			}
			return a.withKey(cmd, args[0], "block", func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				if err := cn.c.Block(ctx, k.String(), reason); err != nil {
					return cn.explain("block", err)
				}
				_, err := fmt.Fprintf(a.stdout, "Blocked %s on this node.\n", who)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the operators of this node (required)")
	return cmd
}

func (a *app) unblockCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "unblock KEY",
		GroupID: "act",
		Short:   "Lift this node's block of a party",
		Example: `  kring unblock "Example MSP"`,
		Args:    exactArgs(1, "KEY (a key, a prefix of 8+ hex digits, or an organisation name)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withKey(cmd, args[0], "unblock", func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				if err := cn.c.Unblock(ctx, k.String()); err != nil {
					return cn.explain("unblock", err)
				}
				_, err := fmt.Fprintf(a.stdout, "Unblocked %s: the circle's log decides again whether it may connect.\n", who)
				return err
			})
		},
	}
}

// voteCommand makes suspend, unsuspend and revoke.
func (a *app) voteCommand(motion, summary, long, example string) *cobra.Command {
	var caseID string
	cmd := &cobra.Command{
		Use:     motion + " KEY",
		GroupID: "act",
		Short:   summary,
		Long:    long,
		Example: example,
		Args:    exactArgs(1, "KEY (a key, a prefix of 8+ hex digits, or an organisation name)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withKey(cmd, args[0], motion, func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				op, err := cn.c.Vote(ctx, api.VoteRequest{Motion: motion, Target: k.String(), Case: caseID})
				if err != nil {
					return cn.explain(motion, err)
				}
				if a.output == "json" {
					return a.printJSON(op)
				}
				_, err = fmt.Fprintf(a.stdout, "Voted to %s %s: vote %s (motion %s). It is enacted once the charter's threshold of members has voted.\n",
					motion, who, short(op.ID), short(op.MotionID))
				return err
			})
		},
	}
	if motion == "suspend" {
		cmd.Flags().StringVar(&caseID, "case", "", "join this suspension case (hex); default: the open case, or a new one")
	}
	return cmd
}

func (a *app) motionCommands() []*cobra.Command {
	return []*cobra.Command{
		a.voteCommand("suspend", "Vote to suspend a member network-wide",
			`Suspend publishes your vote to suspend KEY. Once the charter's s members
have voted, the suspension is enacted and every node disconnects and refuses
KEY until an unsuspension. You cannot vote on your own organisation.`,
			`  kring suspend "Example MSP"`),
		a.voteCommand("unsuspend", "Vote to lift a member's suspension",
			`Unsuspend publishes your vote to lift the standing suspensions of KEY.
It is enacted once the charter's r members have voted.`,
			`  kring unsuspend "Example MSP"`),
		a.voteCommand("revoke", "Vote to revoke a member for good",
			`Revoke publishes your vote to remove KEY from the circle for good. Once
the charter's r members have voted, the revocation is enacted: every node
cuts KEY off, and its later ops are refused. You cannot vote on your own
organisation; to give up a stolen key, use kring leave.`,
			`  kring revoke "Example MSP"
  kring revoke 5363535c21006ca3`),
	}
}

// withKey resolves KEY and calls fn with the connection and the key.
func (a *app) withKey(cmd *cobra.Command, arg, what string, fn func(ctx context.Context, cn *conn, k protocol.Key, who string) error) error {
	cn, err := a.client()
	if err != nil {
		return err
	}
	ctx, cancel := callCtx(cmd.Context())
	defer cancel()
	k, members, err := cn.resolve(ctx, arg)
	if err != nil {
		return err
	}
	return fn(ctx, cn, k, describeKey(k, members))
}

func (a *app) leaveCommand() *cobra.Command {
	var reason string
	var yes bool
	cmd := &cobra.Command{
		Use:     "leave --reason TEXT --yes",
		GroupID: "act",
		Short:   "Leave the circle for good (also: give up a stolen key)",
		Long: `Leave publishes this organisation's departure. It is permanent for this key:
the circle refuses every later op of it. Publish it at once if the identity
key was stolen. It needs --yes.`,
		Example: `  kring leave --reason "merging into Example Group CERT" --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !yes {
				return usageErrorf("leaving is permanent for this key: run again with --yes to confirm")
			}
			cn, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := callCtx(cmd.Context())
			defer cancel()
			op, err := cn.c.Leave(ctx, reason)
			if err != nil {
				return cn.explain("leave", err)
			}
			if a.output == "json" {
				return a.printJSON(op)
			}
			_, err = fmt.Fprintf(a.stdout, "Left the circle (op %s). This key can never rejoin.\n", short(op.ID))
			return err
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "a note for the other members")
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm: leaving is permanent")
	return cmd
}
