// Package api is a member daemon's local HTTP API: JSON over HTTP on a
// loopback address, guarded by a bearer token, for the kring CLI and for a
// member's own tools (a SIEM, scripts). docs/api.md documents every route;
// docs/api.openapi.yaml describes them in OpenAPI 3.
//
// The daemon serves a Server over its node:
//
//	srv := api.NewServer(n, api.ServerOptions{Token: token, Version: version})
//	hs := srv.HTTPServer(ctx) // read, write and idle timeouts
//	hs.Serve(srv.Listener(listener)) // at most HTTPLimits.MaxConns at once
//
// and programs use a Client:
//
//	c := api.NewClient("http://127.0.0.1:7717", token)
//	st, err := c.Status(ctx)
//
// Every route but GET /healthz needs "Authorization: Bearer <token>" and
// answers 401 without it. Errors are JSON ({"error": "...", "code": "..."})
// with a status that says what went wrong: 400 bad input, 401, 404 unknown
// key or advisory, 409 not in the sharing set or not synced yet, 413 a body
// over MaxBody, 422 refused by the log (the code is the trust reason) or a
// TLP:RED advisory without the plaintext_red acknowledgement
// (plaintext-red), 503 node stopped. Request bodies are decoded strictly:
// unknown fields are refused.
//
// Advisories are listed in stored order with a cursor (an advisory's
// position or ID); GET /v1/advisories/follow streams them as Server-Sent
// Events. Only live advisories are shown: one whose author a concurrent
// denial voided never leaves the API. Every advisory carries its TLP
// label. This version cannot encrypt an advisory to named recipients (a
// later part of issue 15), so POST /v1/advisories refuses a TLP:RED
// advisory (422 plaintext-red) unless the request sets plaintext_red,
// acknowledging that every member and future member can read it. A RED
// advisory published so is stored in plaintext by every member's node and
// the API shows it like the others; a tool that exports advisories must
// honour the label.
//
// GET /metrics serves Prometheus metrics: ops by verdict, peers by
// standing, members by status, the pending buffer, the sync backlog, the
// publish-to-store delay (StoreDelay), and the Go and process collectors.
package api
