package protocol

// OpenBatch does what Open does for each of raw, checking the ops'
// signatures together in one batch, which costs far less per signature
// than checking them one at a time. It returns ops and errs in the order
// of raw: for each i, ops[i] is the op and errs[i] nil, or ops[i] is nil
// and errs[i] is the error Open(raw[i], group) would return. A bad op does
// not fail the others: the batch is then checked again op by op, which
// names exactly the bad ones. The verdicts are those of Open, op by op
// (one signature rule for both: sig.go).
func OpenBatch(raw [][]byte, group Hash) ([]*Op, []error) {
	ops := make([]*Op, len(raw))
	errs := make([]error, len(raw))
	for i, b := range raw {
		o, err := Decode(b)
		if err == nil {
			err = o.CheckGroup(group)
		}
		if err != nil {
			errs[i] = err
			continue
		}
		ops[i] = o
	}
	for i, err := range VerifyBatch(ops) {
		if err != nil {
			ops[i], errs[i] = nil, err
		}
	}
	return ops, errs
}

// VerifyBatch does what Op.Verify does for each of ops, checking the
// authors' signatures together in one batch. It returns one error for each
// op, in order: errs[i] is what ops[i].Verify() returns, and nil for a nil
// op. A genesis is checked on its own (its founders' signatures too), as
// Op.Verify checks it.
func VerifyBatch(ops []*Op) []error {
	errs := make([]error, len(ops))
	batch := getSigBatch()
	defer putSigBatch(batch)
	var pre [len(DomainOp) + 2]byte // DomainOp, a zero byte, the op's map header
	copy(pre[:], DomainOp)
	in := make([]int, 0, len(ops)) // the index in ops of each signature in the batch
	for i, o := range ops {
		switch {
		case o == nil:
			continue
		case o.Kind == KindGenesis:
			errs[i] = o.Verify()
			continue
		}
		if err := o.checkAuthor(); err != nil {
			errs[i] = err
			continue
		}
		if head, rest, ok := o.signedSplit(); ok {
			pre[len(pre)-1] = head
			batch.addSplit(o.Author, pre[:], rest, o.Sig)
		} else {
			batch.add(o.Author, o.signedMessage(), o.Sig)
		}
		in = append(in, i)
	}
	if all, valid := batch.verify(); !all {
		for j, i := range in {
			if !valid[j] {
				errs[i] = ops[i].badSignature()
			}
		}
	}
	return errs
}
