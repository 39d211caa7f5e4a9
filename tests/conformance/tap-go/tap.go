// Package tap is crbox's stand-in for the small TAP helper library that the OCI
// runtime-tools validation suite imports and Debian does not package. It implements only the
// calls the suite makes (New, Header, Ok, Pass, Fail, Skip, AutoPlan, Count, Diagnostic,
// Diagnosticf, YAML) and writes TAP version 13 to standard output. YAML blocks are written as
// JSON, which is valid YAML.
package tap

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// T is a TAP stream.
type T struct {
	next   *int // shared with the copies Todo returns
	Writer io.Writer
	TODO   bool
}

// New starts a TAP stream on standard output.
func New() *T {
	n := 1
	return &T{next: &n, Writer: os.Stdout}
}

// Todo returns the same stream with its points marked TODO.
func (t *T) Todo() *T {
	c := *t
	c.TODO = true
	return &c
}

func (t *T) printf(format string, a ...interface{}) { fmt.Fprintf(t.Writer, format, a...) }

// Header prints the version line and, for n > 0, the plan.
func (t *T) Header(n int) {
	t.printf("TAP version 13\n")
	if n > 0 {
		t.printf("1..%d\n", n)
	}
}

// Ok prints one test point.
func (t *T) Ok(ok bool, description string) {
	word := "ok"
	if !ok {
		word = "not ok"
	}
	todo := ""
	if t.TODO {
		todo = " # TODO"
	}
	t.printf("%s %d - %s%s\n", word, *t.next, description, todo)
	*t.next++
}

// Pass and Fail print a passing or failing point.
func (t *T) Pass(description string) { t.Ok(true, description) }
func (t *T) Fail(description string) { t.Ok(false, description) }

// Skip prints count skipped points.
func (t *T) Skip(count int, description string) {
	for i := 0; i < count; i++ {
		t.printf("ok %d # SKIP %s\n", *t.next, description)
		*t.next++
	}
}

// Count is the number of points printed so far.
func (t *T) Count() int { return *t.next - 1 }

// AutoPlan prints the plan from the points printed so far.
func (t *T) AutoPlan() { t.printf("1..%d\n", t.Count()) }

// Diagnostic prints a comment, one "# " line per line of message.
func (t *T) Diagnostic(message string) {
	for _, l := range strings.Split(strings.TrimRight(message, "\n"), "\n") {
		t.printf("# %s\n", l)
	}
}

// Diagnosticf is Diagnostic with a format.
func (t *T) Diagnosticf(format string, a ...interface{}) { t.Diagnostic(fmt.Sprintf(format, a...)) }

// YAML prints a YAML block for the last point.
func (t *T) YAML(message interface{}) error {
	b, err := json.MarshalIndent(message, "  ", "  ")
	if err != nil {
		return err
	}
	t.printf("  ---\n  %s\n  ...\n", b)
	return nil
}
