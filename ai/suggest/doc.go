// Package suggest holds the AI suggestions of an edition as plain data:
// the requests (tasks), what the model suggested, what an approver
// accepted and the token usage, with the pure functions that apply
// accepted suggestions to a render. It links no model client, so
// workflows can carry and apply suggestions deterministically; package
// ai asks the model.
package suggest
