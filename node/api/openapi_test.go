package api

import (
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// TestOpenAPIMatchesRoutes checks that docs/api.openapi.yaml describes
// exactly the routes the server serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("../../docs/api.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parsing the OpenAPI file: %v", err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	s := &Server{log: slog.New(slog.DiscardHandler), reg: prometheus.NewRegistry()}
	var served []string
	for _, r := range s.table() {
		served = append(served, r.pattern)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("the OpenAPI file documents\n%s\nthe server serves\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
}

// TestOpenAPIQueryParameters checks that the OpenAPI file documents the
// query parameters the advisory routes read.
func TestOpenAPIQueryParameters(t *testing.T) {
	b, err := os.ReadFile("../../docs/api.openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type param struct {
		Ref  string `yaml:"$ref"`
		Name string `yaml:"name"`
		In   string `yaml:"in"`
	}
	var doc struct {
		Paths      map[string]map[string]struct{ Parameters []param } `yaml:"paths"`
		Components struct{ Parameters map[string]param }              `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parsing the OpenAPI file: %v", err)
	}
	for route, want := range map[string][]string{
		"GET /v1/advisories":        {"after", "before", "limit", "order"},
		"GET /v1/advisories/follow": {"after"},
		"POST /v1/advisories":       {"wait"},
	} {
		method, path, _ := strings.Cut(route, " ")
		var got []string
		for _, p := range doc.Paths[path][strings.ToLower(method)].Parameters {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				p = doc.Components.Parameters[name]
			}
			if p.In == "query" {
				got = append(got, p.Name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the OpenAPI file documents the query parameters %v, the server reads %v", route, got, want)
		}
	}
}
