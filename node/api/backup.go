package api

import (
	"net/http"
	"time"
)

// backup streams a consistent copy of the node's store (badger's backup
// stream) while the node runs: kring backup puts it in its archive beside
// the keys. The copy can be large, so the stream outlives the server's
// write timeout. An error after the first byte can only cut the stream
// short: store.Restore refuses a cut stream, and the daemon logs why.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="kring-store.backup"`)
	if err := s.n.Backup(w); err != nil {
		s.log.Error("backup stream failed: the client's copy is cut short", "err", err)
		panic(http.ErrAbortHandler) // the client sees a broken stream, never a complete-looking one
	}
}
