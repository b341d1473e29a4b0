package trust_test

import (
	"testing"

	"github.com/kring-circle/kring/trust"
	"github.com/kring-circle/kring/trust/storetest"
)

func TestMemStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) trust.Store { return trust.NewMemStore() })
}
