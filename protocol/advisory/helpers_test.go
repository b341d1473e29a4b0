package advisory_test

import "flag"

// rewrite rewrites golden files (go test ./protocol/advisory -run TestDocsExample -rewrite).
var rewrite = flag.Bool("rewrite", false, "rewrite golden files")
