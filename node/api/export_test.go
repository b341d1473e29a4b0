package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"

	"github.com/kring-circle/kring/protocol"
)

// Hooks for the tests of package api_test (the fuzz tests).

// DecodeBody reads body into v as a POST handler reads its request body,
// and returns the status and code a refusal is answered with.
func DecodeBody(body []byte, v any) (status int, code string, err error) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err := decode(httptest.NewRecorder(), r, v); err != nil {
		ae := classify(err)
		return ae.status, ae.code, err
	}
	return 0, "", nil
}

// Advisory is what POST /v1/advisories makes of a decoded request.
func (req *PublishRequest) Advisory() (*protocol.Advisory, error) { return req.advisory() }

// ErrorStatus returns the status and code err is answered with.
func ErrorStatus(err error) (status int, code string) {
	ae := classify(err)
	return ae.status, ae.code
}

// CharterDocShown renders a charter as GET /v1/charter does: its ack
// interval the one in force.
func CharterDocShown(c protocol.Charter) CharterDoc { return charterDoc(c) }
