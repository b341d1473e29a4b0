// Package storetest is the conformance test every trust.Store passes: the
// in-memory trust.MemStore here, and the node's badger store. Call Run from
// the implementation's own tests.
package storetest
