package browsertest

import (
	"encoding/json"
	"strings"
)

// The scripts that the Browser runs in the page. Each is a function
// expression; jsCall applies it to its arguments. They take the selector as
// an argument rather than spliced into their text, so that no selector can
// break out of a string literal.

// elementJS describes the first match of a selector: whether it exists, how
// many elements match, whether it is visible, and its text. The text of a
// form field is its value (its innerText is empty), of a select the
// selected options' labels.
const elementJS = `(sel) => {
	const all = document.querySelectorAll(sel);
	const e = all[0];
	if (!e) return {found: false, count: 0, visible: false, text: ""};
	const rendered = !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
	const visible = rendered && getComputedStyle(e).visibility !== "hidden";
	let text;
	if (e instanceof HTMLSelectElement) text = [...e.selectedOptions].map(o => o.label).join(", ");
	else if (e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement) text = e.value;
	else text = e.innerText ?? e.textContent ?? "";
	return {found: true, count: all.length, visible, text};
}`

// fillJS prepares a field for Fill. It returns "type" when the value is to
// be typed (the field is then focused and empty), "set" when it has set the
// value itself, or else why the field cannot take the value.
const fillJS = `(sel, value) => {
	const e = document.querySelector(sel);
	if (!e) return "no element matches " + JSON.stringify(sel);
	const tag = e.tagName.toLowerCase();
	if (tag !== "input" && tag !== "textarea" && tag !== "select")
		return "<" + tag + "> is not an input, a textarea or a select";
	if (e.disabled || e.readOnly) return "the field is disabled or read-only";
	const set = () => {
		e.value = value;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
	};
	if (tag === "select") {
		if (![...e.options].some(o => o.value === value))
			return "the select has no option with the value " + JSON.stringify(value);
		set();
		return "set";
	}
	if (tag === "input") {
		switch (e.type) {
		case "checkbox": case "radio": case "submit": case "button": case "reset": case "image":
			return "an input of type " + e.type + " takes a Click, not a value";
		case "file":
			return "a file input takes UploadFile";
		case "date": case "time": case "datetime-local": case "month": case "week": case "color": case "range":
			set();
			if (e.value !== value) return "the " + e.type + " input refused the value " + JSON.stringify(value) + " (it has " + JSON.stringify(e.value) + ")";
			return "set";
		}
	}
	e.focus();
	e.value = "";
	e.dispatchEvent(new Event("input", {bubbles: true}));
	return "type";
}`

// submitJS submits the form that the selector names or contains, as a user
// would (requestSubmit: validation, submit events), and returns "" or why
// it could not.
const submitJS = `(sel) => {
	const e = document.querySelector(sel);
	if (!e) return "no element matches " + JSON.stringify(sel);
	const form = e instanceof HTMLFormElement ? e : (e.form || e.closest("form"));
	if (!form) return JSON.stringify(sel) + " is not a form and is not in one";
	const submitter = e !== form && (e instanceof HTMLButtonElement || e instanceof HTMLInputElement) &&
		(e.type === "submit" || e.type === "image") && e.form === form ? e : null;
	if (!form.noValidate && !(submitter && submitter.formNoValidate) && !form.checkValidity()) {
		const bad = [...form.elements].filter(f => f.willValidate && !f.checkValidity())
			.map(f => (f.name || f.id || f.tagName.toLowerCase()) + ": " + f.validationMessage);
		return "the browser refuses to submit the form, as invalid: " + bad.join("; ");
	}
	form.requestSubmit(submitter);
	return "";
}`

// jsCall returns an expression that applies the function fn to args, which
// are encoded as JSON.
func jsCall(fn string, args ...any) string {
	var b strings.Builder
	b.WriteString("(")
	b.WriteString(fn)
	b.WriteString(")(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		j, err := json.Marshal(a)
		if err != nil {
			panic(err) // the arguments are strings
		}
		b.Write(j)
	}
	b.WriteString(")")
	return b.String()
}
