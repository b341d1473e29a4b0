// Package node will be the Kring daemon's core: the libp2p host, the
// connection gater that admits only members, the gossip topic and its
// validator, the sync protocol, the durable badger store and the local API.
//
// It is empty on purpose: it arrives with the node issue (issue 3). Until
// then this file only reserves the import path, so that the Makefile's race
// detector pattern ./node/... already names a package.
package node
