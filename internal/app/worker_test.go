package app

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
)

// TestWorkflowsCallOnlyRegisteredActivities checks that every activity
// the workflows call by name (activitytypes) is registered by the
// worker's registration under that name, with the input and result types
// the workflows use: a renamed or retyped method fails here, not on a
// production run.
func TestWorkflowsCallOnlyRegisteredActivities(t *testing.T) {
	acts := &activities.Activities{}
	var s testsuite.WorkflowTestSuite
	main := s.NewTestWorkflowEnvironment()
	registerActivities(main, acts)
	ai := s.NewTestWorkflowEnvironment()
	registerAIActivities(ai, acts)

	refs := activitytypes.All()
	if len(refs) < 20 {
		t.Fatalf("activitytypes.All lists %d activities; the workflows call more", len(refs))
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		name := ref.ActivityName()
		if seen[name] {
			t.Errorf("activity %s is listed twice", name)
		}
		seen[name] = true
		if err := registered(main, name); err != nil {
			t.Errorf("main task queue: %v", err)
		}
		m, ok := reflect.TypeOf(acts).MethodByName(name)
		if !ok {
			t.Errorf("activities.Activities has no method %s", name)
			continue
		}
		in, out := ref.Types()
		if err := sameTypes(m.Type, in, out); err != nil {
			t.Errorf("activity %s: %v", name, err)
		}
	}
	if err := registered(ai, activitytypes.Enhance.Name); err != nil {
		t.Errorf("AI task queue: %v", err)
	}
	if err := registered(main, "NoSuchActivity"); err == nil {
		t.Error("an unregistered name passed the check")
	}
}

// registered reports whether env's registry holds an activity named name
// (the test environment refuses to mock one it does not).
func registered(env *testsuite.TestWorkflowEnvironment, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	env.OnActivity(name, context.Background()).Maybe()
	return nil
}

// sameTypes compares a method's signature (with its receiver) to an
// activity reference's input and result types.
func sameTypes(fn, in, out reflect.Type) error {
	none := reflect.TypeFor[activitytypes.None]()
	var gotIn reflect.Type = none
	switch fn.NumIn() {
	case 2: // receiver, context
	case 3:
		gotIn = fn.In(2)
	default:
		return fmt.Errorf("method takes %d arguments; activities take a context and one input", fn.NumIn()-1)
	}
	var gotOut reflect.Type = none
	if fn.NumOut() == 2 {
		gotOut = fn.Out(0)
	}
	if gotIn != in {
		return fmt.Errorf("takes %v, the workflows send %v", gotIn, in)
	}
	if gotOut != out {
		return fmt.Errorf("returns %v, the workflows expect %v", gotOut, out)
	}
	return nil
}
