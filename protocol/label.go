package protocol

import "strings"

// Label names an organisation the one way Kring shows it to people, in the
// CLI's output and in the daemon's logs alike: its name and short key,
// "Alpha Energy CERT (5363535c2100)", or the short key alone when the name
// is unknown.
func Label(name string, k Key) string {
	if strings.TrimSpace(name) == "" {
		return k.Short()
	}
	return name + " (" + k.Short() + ")"
}
