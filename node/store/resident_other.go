//go:build !linux

package store

// DropResident does nothing where the store cannot tell the kernel which
// mapped pages it no longer needs.
func (s *Store) DropResident() error { return nil }
