package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
)

// printJSON writes v as indented JSON on stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printJSONLine writes v as one line of JSON on stdout.
func (a *app) printJSONLine(v any) error {
	return json.NewEncoder(a.stdout).Encode(v)
}

// page writes text on stdout, through a pager when stdout is a terminal
// where a person reads: $PAGER, else less (with LESS=FRX unless LESS is
// set: it quits at once when the text fits on the screen). Without a
// terminal, or a pager that will start, the text goes straight to stdout.
func (a *app) page(text []byte) error {
	pager := os.Getenv("PAGER")
	if !isTerminal(a.stdout) || pager == "cat" {
		_, err := a.stdout.Write(text)
		return err
	}
	if pager == "" {
		if _, err := exec.LookPath("less"); err != nil {
			_, err := a.stdout.Write(text)
			return err
		}
		pager = "less"
	}
	return runPager(pager, text, a.stdout, a.stderr)
}

// runPager shows text through the shell command pager, writing to out;
// if the pager cannot start or is not found, text goes to out as it is.
func runPager(pager string, text []byte, out, errOut io.Writer) error {
	cmd := exec.Command("sh", "-c", pager)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(text), out, errOut
	cmd.Env = os.Environ()
	if os.Getenv("LESS") == "" {
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	if err := cmd.Start(); err != nil {
		_, err := out.Write(text)
		return err
	}
	var ee *exec.ExitError
	if err := cmd.Wait(); errors.As(err, &ee) && ee.ExitCode() == 127 { // sh found no such pager
		_, err := out.Write(text)
		return err
	}
	return nil // the reader quitting the pager early is no error
}
