package node

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestSyncReachesTheLoopOnlyThroughSyncNode guards the syncer's boundary:
// no method of *syncer but attach names the loop, sends it work (do,
// doNow, inLoop) or reaches into a *Node; everything it needs of the
// loop and the node goes through the syncNode interface (s.node).
func TestSyncReachesTheLoopOnlyThroughSyncNode(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := map[string]bool{"do": true, "doNow": true, "inLoop": true, "eng": true, "pending": true}
	fset := token.NewFileSet()
	methods := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !isSyncerRecv(fn.Recv) || fn.Name.Name == "attach" {
				continue
			}
			methods++
			ast.Inspect(fn.Body, func(x ast.Node) bool {
				switch x := x.(type) {
				case *ast.Ident:
					if x.Name == "loop" || x.Name == "Node" {
						t.Errorf("%s: syncer.%s names %s", fset.Position(x.Pos()), fn.Name.Name, x.Name)
					}
				case *ast.SelectorExpr:
					if forbidden[x.Sel.Name] {
						t.Errorf("%s: syncer.%s uses .%s", fset.Position(x.Pos()), fn.Name.Name, x.Sel.Name)
					}
				}
				return true
			})
		}
	}
	if methods < 20 {
		t.Fatalf("found %d methods of *syncer; the guard is looking in the wrong place", methods)
	}
}

// isSyncerRecv reports whether a method's receiver is *syncer.
func isSyncerRecv(recv *ast.FieldList) bool {
	if len(recv.List) != 1 {
		return false
	}
	star, ok := recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "syncer"
}
