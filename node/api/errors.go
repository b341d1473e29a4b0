package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kring-circle/kring/node"
	"github.com/kring-circle/kring/node/store"
	"github.com/kring-circle/kring/protocol"
)

// Error codes of the API's JSON errors. docs/api.md lists them with their
// statuses; a refusal by the log (422) carries the trust reason instead,
// e.g. "author-suspended" or "target-not-member". A TLP:RED advisory
// without the plaintext_red acknowledgement is 422 plaintext-red.
const (
	CodeBadRequest    = "bad-request"      // 400: a malformed request
	CodeBadJSON       = "bad-json"         // 400: the body is not the expected JSON
	CodeBadKey        = "bad-key"          // 400: not a 64-hex-digit key
	CodeBadTLP        = "bad-tlp"          // 400: not a TLP 2.0 label
	CodeTooLarge      = "too-large"        // 400 (a field) or 413 (the body): over a size limit
	CodeBadCursor     = "bad-cursor"       // 400: an after= or before= cursor that is neither a position nor an ID
	CodeBadSignature  = "bad-signature"    // 400: an application that is forged or altered
	CodeWrongGroup    = "wrong-group"      // 400: an application for another circle
	CodeBadEvidence   = "bad-evidence"     // 400: evidence that is not a SHA-256 in hex
	CodeSelf          = "self"             // 400: an action on this organisation's own key
	CodeNotATwin      = "not-a-twin"       // 400: an unsuspend's keep names none of the twins of the target's fork
	CodeUnauthorized  = "unauthorized"     // 401: no or a wrong bearer token
	CodeNotFound      = "not-found"        // 404: no such route
	CodeUnknownMember = "unknown-member"   // 404: a key the log does not know
	CodeNoAdvisory    = "unknown-advisory" // 404: no such live advisory
	CodeNotBlocked    = "not-blocked"      // 404: no local block of that key
	CodeMethod        = "method-not-allowed"
	CodeNotSharing    = "not-sharing"            // 409: this organisation is not in the sharing set
	CodeNotSynced     = "not-synced"             // 409: the node has not synced enough yet
	CodeSecondSigner  = "second-signer"          // 409: another node signs with this organisation's key; this one signs nothing until restarted
	CodeNoMember      = "no-member-reachable"    // 409: no member of the circle answered, so the node signs nothing
	CodeOwnBehind     = "own-chain-behind"       // 409: a member holds more of this organisation's chain than the node (a restored backup?)
	CodeNotSuspended  = "not-suspended"          // 409: unsuspend of a member no suspension stands against
	CodeKeepRequired  = "keep-required"          // 409: unsuspend of a member a fork suspends, without the twin to keep
	CodeNotForked     = "not-forked"             // 409: an unsuspend's keep for a member no fork suspends
	CodeNothingNew    = "nothing-to-acknowledge" // 409: this organisation's last op already cites every op the node holds
	CodeNotMember     = "not-a-member"           // 409: an act only a member (or lapsed organisation) may take
	CodeEndorsed      = "already-endorsed"       // 409: this organisation's endorsement of the application counts already
	CodeVoted         = "already-voted"          // 409: this organisation's vote on the motion counts already
	CodePlaintextRed  = "plaintext-red"          // 422: a TLP:RED advisory without the plaintext_red acknowledgement
	CodeNodeStopped   = "node-stopped"           // 503: the node is closed or stopped on an error
	CodeTimeout       = "timeout"                // 504: the node did not answer in time
	CodeDiskLow       = "disk-low"               // 507: an advisory while the data dir's disk is below its watermark
	CodeInternal      = "internal"               // 500: a bug; the daemon's log says more
)

// apiError is an error with the status and code it is answered with.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// fail returns an apiError.
func fail(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// detailOf returns what err says beyond sentinel, the error it wraps
// first ("node: ...: detail" gives "detail"), or all of it.
func detailOf(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
}

// classify maps an error of the node, the log or a handler to the status
// and code it is answered with.
func classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	msg := err.Error()
	switch {
	case errors.Is(err, node.ErrNotSharing):
		return &apiError{http.StatusConflict, CodeNotSharing, msg}
	case errors.Is(err, node.ErrNotSynced):
		return &apiError{http.StatusConflict, CodeNotSynced, msg}
	case errors.Is(err, node.ErrNoMemberReachable):
		return &apiError{http.StatusConflict, CodeNoMember, msg}
	case errors.Is(err, node.ErrOwnChainBehind):
		return &apiError{http.StatusConflict, CodeOwnBehind, msg}
	case errors.Is(err, node.ErrSecondSigner):
		return &apiError{http.StatusConflict, CodeSecondSigner, msg}
	case errors.Is(err, node.ErrBlockedAuthor):
		return &apiError{http.StatusNotFound, CodeAuthorBlocked, detailOf(err, node.ErrBlockedAuthor)}
	case errors.Is(err, node.ErrAlreadyVoted):
		return &apiError{http.StatusConflict, CodeVoted, msg}
	case errors.Is(err, node.ErrNotSuspended):
		return &apiError{http.StatusConflict, CodeNotSuspended, msg}
	case errors.Is(err, node.ErrKeepRequired):
		return &apiError{http.StatusConflict, CodeKeepRequired, msg}
	case errors.Is(err, node.ErrNotForked):
		return &apiError{http.StatusConflict, CodeNotForked, msg}
	case errors.Is(err, node.ErrNotATwin):
		return &apiError{http.StatusBadRequest, CodeNotATwin, msg}
	case errors.Is(err, node.ErrBadFrom):
		return &apiError{http.StatusBadRequest, CodeBadRequest, msg}
	case errors.Is(err, node.ErrNothingToAcknowledge):
		return &apiError{http.StatusConflict, CodeNothingNew, msg}
	case errors.Is(err, node.ErrCannotAcknowledge):
		return &apiError{http.StatusConflict, CodeNotMember, msg}
	case errors.Is(err, node.ErrPlaintextRed):
		return &apiError{http.StatusUnprocessableEntity, CodePlaintextRed,
			msg + `; or set "plaintext_red": true to accept that every member and future member can read it`}
	case errors.Is(err, node.ErrDiskLow):
		return &apiError{http.StatusInsufficientStorage, CodeDiskLow, msg}
	case errors.Is(err, node.ErrNoAdvisory):
		return &apiError{http.StatusNotFound, CodeNoAdvisory, msg}
	case errors.Is(err, node.ErrClosed) || errors.Is(err, store.ErrClosed):
		return &apiError{http.StatusServiceUnavailable, CodeNodeStopped, msg}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{http.StatusGatewayTimeout, CodeTimeout, msg}
	case errors.Is(err, context.Canceled):
		return &apiError{http.StatusServiceUnavailable, CodeNodeStopped, msg}
	case errors.Is(err, protocol.ErrTooLarge):
		return &apiError{http.StatusBadRequest, CodeTooLarge, msg}
	case errors.Is(err, protocol.ErrInvalidBody):
		return &apiError{http.StatusBadRequest, CodeBadRequest, msg}
	}
	if r, ok := node.TrustReason(err); ok {
		return &apiError{http.StatusUnprocessableEntity, r.String(), msg}
	}
	return &apiError{http.StatusInternalServerError, CodeInternal, internalMsg}
}

// internalMsg is the whole message of a 500: what went wrong (paths,
// store errors, a bug's detail) goes to the daemon's log only.
const internalMsg = "internal error; the daemon's log says more"

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away: nothing to do
}

// writeError answers with err as a JSON error.
func writeError(w http.ResponseWriter, err error) {
	ae := classify(err)
	writeJSON(w, ae.status, ErrorBody{Error: ae.msg, Code: ae.code})
}
