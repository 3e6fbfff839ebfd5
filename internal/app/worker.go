package app

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/workflows"
)

// NewWorker returns a worker for taskQueue with NewsletterWorkflow and every
// activity registered; the worker main and the end-to-end tests share it.
func NewWorker(c client.Client, taskQueue string, acts *activities.Activities, opts worker.Options) worker.Worker {
	if taskQueue == "" {
		taskQueue = workflows.TaskQueue
	}
	w := worker.New(c, taskQueue, opts)
	w.RegisterWorkflowWithOptions(workflows.NewsletterWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowName})
	w.RegisterActivity(acts)
	return w
}
