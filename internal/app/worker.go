package app

import (
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/workflows"
)

// SendControlLatency bounds how long a pause or cancel takes to reach a
// send in flight (the worker's heartbeat throttle).
const SendControlLatency = 2 * time.Second

// NewWorker returns a worker for taskQueue with NewsletterWorkflow, the
// document watcher and every activity registered; the worker main and the end-to-end tests share it.
// The product's metrics are recorded through the client's metrics handler
// (WithTelemetry); without one they cost nothing.
func NewWorker(c client.Client, taskQueue string, acts *activities.Activities, opts worker.Options) worker.Worker {
	if taskQueue == "" {
		taskQueue = workflows.TaskQueue
	}
	opts.Interceptors = append(slices.Clip(opts.Interceptors), &productMetrics{})
	if opts.MaxHeartbeatThrottleInterval == 0 {
		// A pause or cancel reaches a send in flight with the answer to
		// its next heartbeat: within a couple of seconds.
		opts.MaxHeartbeatThrottleInterval = SendControlLatency
	}
	w := worker.New(c, taskQueue, opts)
	w.RegisterWorkflowWithOptions(workflows.NewsletterWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowName})
	w.RegisterWorkflowWithOptions(workflows.SocialDeleteWorkflow, workflow.RegisterOptions{Name: workflows.SocialDeleteWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.DocumentWatcherWorkflow, workflow.RegisterOptions{Name: workflows.WatcherWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.PruneArtifactsWorkflow, workflow.RegisterOptions{Name: workflows.PruneWorkflowName})
	registerActivities(w, acts)
	return w
}

// registerActivities registers every exported method of acts under its
// name: the names activitytypes gives the workflows.
func registerActivities(r worker.ActivityRegistry, acts *activities.Activities) {
	r.RegisterActivity(acts)
}

// registerAIActivities registers the AI task queue's one activity.
func registerAIActivities(r worker.ActivityRegistry, acts *activities.Activities) {
	r.RegisterActivityWithOptions(acts.Enhance, activity.RegisterOptions{Name: activitytypes.Enhance.Name})
}

// NewAIWorker returns a worker for the AI task queue running only Enhance,
// at most perSecond requests a second across every worker of the queue.
func NewAIWorker(c client.Client, taskQueue string, acts *activities.Activities, perSecond float64) worker.Worker {
	if taskQueue == "" {
		taskQueue = workflows.AITaskQueue
	}
	w := worker.New(c, taskQueue, worker.Options{
		TaskQueueActivitiesPerSecond:       perSecond,
		MaxConcurrentActivityExecutionSize: 4,
		Interceptors:                       []interceptor.WorkerInterceptor{&productMetrics{}},
	})
	registerAIActivities(w, acts)
	return w
}
