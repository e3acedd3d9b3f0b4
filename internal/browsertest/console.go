package browsertest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
)

// consoleLog collects the errors that a tab reports. Its record method is a
// chromedp listener: it runs in the loop that reads the tab's messages, in
// their order, so it must be quick and must not call the browser.
type consoleLog struct {
	mu   sync.Mutex
	errs []string
}

// record keeps the events that report an error, as text.
func (c *consoleLog) record(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		args := make([]string, len(ev.Args))
		for i, a := range ev.Args {
			args[i] = objectText(a)
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(args, " ") + stackPlace(ev.StackTrace)
	case *runtime.EventExceptionThrown:
		msg = "exception: " + exceptionText(ev.ExceptionDetails)
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil || e.Level != log.EntryLevelError || isFavicon(e.URL) {
			return
		}
		msg = string(e.Source) + ": " + e.Text
		if e.URL != "" {
			msg += " (" + e.URL + ")"
		}
	default:
		return
	}
	c.mu.Lock()
	c.errs = append(c.errs, msg)
	c.mu.Unlock()
}

// isFavicon reports whether u is the icon that the browser fetches by
// itself after a page has loaded (not one that a page links to).
func isFavicon(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Path == "/favicon.ico"
}

// errors returns a copy of the errors recorded so far.
func (c *consoleLog) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// exceptionText is the message of an uncaught exception and where it was
// thrown: "Uncaught Error: boom (http://host/app.js:3:7)".
func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	text := d.Text
	if d.Exception != nil {
		// The description of an Error holds its stack after the first line;
		// the place is enough here.
		desc, _, _ := strings.Cut(objectText(d.Exception), "\n")
		text = strings.TrimSpace(text + " " + desc)
	}
	if p := stackPlace(d.StackTrace); p != "" {
		return text + p
	}
	if d.URL != "" {
		return fmt.Sprintf("%s (%s:%d:%d)", text, d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return text
}

// stackPlace is " (url:line:column)" of the innermost frame of a stack, with
// the line and column counted from 1 as editors do, or "".
func stackPlace(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" (%s:%d:%d)", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}

// objectText renders a value as the DevTools console shows it, roughly: a
// string as it is, other primitives as literals, an object by its
// properties, anything else by its description.
func objectText(o *runtime.RemoteObject) string {
	if o == nil {
		return "undefined"
	}
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
	}
	switch {
	case len(o.Value) > 0 && o.Type != runtime.RemoteObjectTypeObject:
		return string(o.Value)
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case o.Type == runtime.RemoteObjectTypeObject && o.Subtype == "" && o.Preview != nil:
		props := make([]string, 0, len(o.Preview.Properties))
		for _, p := range o.Preview.Properties {
			props = append(props, p.Name+": "+p.Value)
		}
		if o.Preview.Overflow {
			props = append(props, "…")
		}
		return "{" + strings.Join(props, ", ") + "}"
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	default:
		return string(o.Type)
	}
}
