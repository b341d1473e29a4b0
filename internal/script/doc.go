// Package script runs scenario scripts: text files that tell a story one
// command a line, with the output each command printed recorded under it,
// indented, so that a script reads as a transcript and fails when what a
// command prints changes. Kring's trust scenarios (trust/testdata/scenarios)
// and testnet's loopback stories (testnet/testdata) both run on it; each
// package brings its own commands and this package the rest:
//
//   - Parse and Render read and write a script: '#' comments and blank
//     lines are kept as they are, indented lines are the output of the
//     command above them.
//   - Run executes each command through the caller's Exec, compares the
//     output with the recorded one and, with rewrite set, writes the file
//     afresh instead (the packages' -rewrite flags).
//   - A command prefixed with `xfail ` marks a known bug: its assertion
//     must fail, and Run fails the test once it holds, so that the mark is
//     removed with the fix.
//   - Fields splits a command into words, keeping Go-quoted strings
//     together, and ParseArgs sorts the words into positional words,
//     key=value options and the verdict expected after "=>".
//
// An Exec reports whether the command's assertions held; a command that
// cannot run counts as a failed assertion. Run executes commands in order
// on the calling goroutine.
package script
