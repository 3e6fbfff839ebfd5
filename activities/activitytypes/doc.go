// Package activitytypes is the contract between the workflows and the
// activities: every activity's name, input and result, and the stable
// error types its failures carry. Workflows call activities through the
// typed references here (FetchDocument.Execute(ctx, in)), so they link
// none of the activities' code: no HTTP clients, stores or model
// clients. Package activities implements them and the worker registers
// them by these names.
package activitytypes
