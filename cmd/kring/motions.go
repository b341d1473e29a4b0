package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kring-circle/kring/node/api"
	"github.com/kring-circle/kring/protocol"
)

// yesHelp documents --yes of the verbs that act on a member.
const yesHelp = "act without asking when KEY is a name or a key prefix (needed when stdin is not a terminal)"

// confirmHelp ends the help of the verbs that ask before they act.
const confirmHelp = `KEY may also be a unique prefix or word of the organisation name, in any
case ("delta" finds "Delta Water CERT"). Unless KEY is the full key, the
verb shows the organisation and key it resolved to and asks before it acts;
--yes acts without the question, and is needed when stdin is not a
terminal.`

// resolve turns a KEY argument into a member key (matchKey) against the
// daemon's list of members, which it also returns for describeKey.
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
	var yes bool
	cmd := &cobra.Command{
		Use:     "block KEY --reason TEXT",
		GroupID: "act",
		Short:   "Block a party on this node alone, at once",
		Long: `Block refuses KEY on this node at once: it disconnects it, refuses its
connections, stops serving it, and hides its advisories from this node's
list, show, follow and JSON output (they stay in the log, and show again
after kring unblock). Nothing is published and other nodes are not
affected: the members who do not block it still relay the circle's
advisories to it, this node's own included. To stop that, the circle
must suspend it (kring suspend) or revoke it. KEY is a full key, a unique
prefix of 8+ hex digits, or an organisation name.`,
		Example: `  kring block "Example MSP" --reason "leaked a TLP:RED advisory"
  kring block 5363535c --reason "investigating"`,
		Args: exactArgs(1, "KEY ("+keyArgHelp+")"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErrorf("block needs --reason TEXT: why this node blocks the party, for its operators (kring blocks lists it)")
			}
			return a.withKey(cmd, args[0], "block", true, yes, func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				if err := cn.c.Block(ctx, k.String(), reason); err != nil {
					return cn.explain("block", err)
				}
				_, err := fmt.Fprintf(a.stdout, "Blocked %s on this node: it is disconnected and refused here, and its advisories are hidden here\n"+
					"(kept in the log; kring unblock shows them again).\n"+
					"Members who do not block it still relay the circle's advisories to it, this node's own included:\n"+
					"to stop that, the circle must suspend it (kring suspend).\n", who)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the operators of this node (required)")
	cmd.Flags().BoolVar(&yes, "yes", false, yesHelp)
	cmd.Long += "\n\n" + confirmHelp
	return cmd
}

func (a *app) unblockCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "unblock KEY",
		GroupID: "act",
		Short:   "Lift this node's block of a party",
		Example: `  kring unblock "Example MSP"`,
		Args:    exactArgs(1, "KEY ("+keyArgHelp+")"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withKey(cmd, args[0], "unblock", false, false, func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				if err := cn.c.Unblock(ctx, k.String()); err != nil {
					return cn.explain("unblock", err)
				}
				_, err := fmt.Fprintf(a.stdout, "Unblocked %s: the circle's log decides again whether it may connect, and its advisories show again.\n", who)
				return err
			})
		},
	}
}

// voteCommand makes suspend, unsuspend and revoke.
func (a *app) voteCommand(motion, summary, long, example string) *cobra.Command {
	var caseID, keep string
	var yes bool
	cmd := &cobra.Command{
		Use:     motion + " KEY",
		GroupID: "act",
		Short:   summary,
		Long:    long,
		Example: example,
		Args:    exactArgs(1, "KEY ("+keyArgHelp+")"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withKey(cmd, args[0], motion, true, yes, func(ctx context.Context, cn *conn, k protocol.Key, who string) error {
				if motion == "unsuspend" && keep == "" {
					if err := a.needKeep(ctx, cn, k, who); err != nil {
						return err
					}
				}
				op, err := cn.c.Vote(ctx, api.VoteRequest{Motion: motion, Target: k.String(), Case: caseID, Keep: keep})
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
	cmd.Flags().BoolVar(&yes, "yes", false, yesHelp)
	cmd.Long += "\n\n" + confirmHelp
	switch motion {
	case "suspend":
		cmd.Flags().StringVar(&caseID, "case", "", "join this suspension case (hex); default: the open case, or a new one")
	case "unsuspend":
		cmd.Flags().StringVar(&keep, "keep", "", "for a member suspended for forking its chain: the twin to keep (its ID or a unique prefix)")
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
It is enacted once the charter's r members have voted.

A member that signed two ops with one seq (a fork of its chain, e.g. a
data dir restored from a backup) is suspended until a lift names the twin
to keep: --keep OP, the twin's ID or a unique prefix of it. The kept
twin's branch counts again, the other's stays void. Without --keep,
unsuspend of such a member lists the twins (seq, ID, what each is, what it
cites) and signs nothing; ask the member which branch its node continues.`,
			`  kring unsuspend "Example MSP"
  kring unsuspend "Example MSP" --keep 3f0a1b2c`),
		a.disavowCommand(),
		a.voteCommand("revoke", "Vote to revoke a member for good",
			`Revoke publishes your vote to remove KEY from the circle for good. Once
the charter's r members have voted, the revocation is enacted: every node
cuts KEY off, and its later ops are refused. You cannot vote on your own
organisation; to give up a stolen key, use kring leave.`,
			`  kring revoke "Example MSP"
  kring revoke 5363535c21006ca3`),
	}
}

// withKey resolves KEY and calls fn with the connection, the key and the
// organisation's label (memberLabel). When confirm is set and KEY is not
// the full key, it first shows what KEY resolved to and asks, unless yes
// (--yes) is set; see confirmTarget.
func (a *app) withKey(cmd *cobra.Command, arg, what string, confirm, yes bool, fn func(ctx context.Context, cn *conn, k protocol.Key, who string) error) error {
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
	who := describeKey(k, members)
	if confirm {
		if err := a.confirmTarget(what, arg, k, who, yes); err != nil {
			return err
		}
	}
	return fn(ctx, cn, k, who)
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
